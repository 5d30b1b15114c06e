package berth.account;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How tenants authenticate on the Docker API.
 *
 * @param keyInHost accept the key as the first label of the Host header ({@code tcp://<key>.<domain>:2375})
 * @param cacheTtl how long a key lookup is trusted; a revoked key stops working within this time
 */
@ConfigurationProperties("berth.auth")
public record AuthProperties(@DefaultValue("true") boolean keyInHost, @DefaultValue("4s") Duration cacheTtl) {
}
