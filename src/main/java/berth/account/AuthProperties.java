package berth.account;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How tenants authenticate on the Docker API.
 *
 * @param keyInHost accept the key as the first label of the Host header ({@code tcp://<key>.<domain>:2375})
 * @param cacheTtl how long a key lookup is trusted; a revoked key stops working within this time
 * @param maxStale how long a key lookup is still served while the database is unreachable; plans and
 *        domains on the request path are held to the same bounds
 */
@ConfigurationProperties("berth.auth")
public record AuthProperties(@DefaultValue("true") boolean keyInHost, @DefaultValue("4s") Duration cacheTtl,
		@DefaultValue("15m") Duration maxStale) {
}
