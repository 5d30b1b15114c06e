package berth.policy;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Host ports are one resource shared by every tenant of an engine host.
 *
 * @param ports {@code loopback} (default): a host port the tenant names binds nothing and is kept for
 *     answers to show ({@link PublishedPorts}), so tenants' ports never collide; a port the engine
 *     chooses is bound to 127.0.0.1 only, reachable from the host (and so from Traefik running there)
 *     but not from outside; non-loopback addresses are refused; {@code deny}: containers cannot
 *     publish ports at all; {@code allow}: bindings are forwarded as asked
 */
@ConfigurationProperties("berth.shared")
public record SharedPortsProperties(@DefaultValue("loopback") Mode ports) {

	public enum Mode {

		LOOPBACK, DENY, ALLOW

	}

}
