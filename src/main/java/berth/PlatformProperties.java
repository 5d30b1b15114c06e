package berth;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings that several features read.
 *
 * @param domain the apex under which tenants live: {@code <tenant>.<domain>}
 * @param adminToken bearer token of the admin API; empty disables the admin API
 * @param publicPort the Docker API port tenants are told to use in their DOCKER_HOST
 */
@ConfigurationProperties("berth")
public record PlatformProperties(@DefaultValue("berth.localhost") String domain, @DefaultValue("") String adminToken,
		@DefaultValue("2375") int publicPort) {

	public String dockerHostOf(String tenantName) {
		return "tcp://" + tenantName + "." + domain + ":" + publicPort;
	}

}
