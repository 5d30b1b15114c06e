package berth.gateway;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the tenant port carries Docker API requests.
 *
 * @param fastPath carry ordinary requests (no JSON body for the policy to read) on the Netty fast
 *     path; {@code false} sends every request through the gateway's filters
 */
@ConfigurationProperties("berth.gateway")
public record GatewayProperties(@DefaultValue("true") boolean fastPath) {
}
