package berth.policy;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Registries the engine may be sent to although they are on a private network.
 *
 * @param allow registry hosts ({@code host} for any port, or {@code host:port}) that pulls, pushes,
 *     searches and logins may name even though they are IP literals or names in loopback, private,
 *     link-local or unique-local ranges (an operator's own registry)
 */
@ConfigurationProperties("berth.policy.registries")
public record RegistryProperties(@DefaultValue List<String> allow) {
}
