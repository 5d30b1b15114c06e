package berth.tls;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The Docker API's TLS listener.
 *
 * @param port where it listens (Docker's 2376); 0 turns it off
 * @param certificate the operator's server certificate (PEM, chain allowed); without it Berth issues
 * one from its CA
 * @param privateKey the key of {@link #certificate}
 * @param serverNames names the issued server certificate carries beside {@code <domain>} and
 * {@code *.<domain>}: host names or IP addresses (docker clients send no SNI for an IP address, so
 * the one certificate must name everything clients dial)
 * @param publicPort the port shown in the {@code DOCKER_HOST} of certificate bundles; 0 means
 * {@link #port}
 * @param publicHost the host shown in the {@code DOCKER_HOST} of certificate bundles; empty means
 * {@code <tenant>.<domain>}
 * @param reloadInterval how often the certificate files are checked for changes
 */
@ConfigurationProperties("berth.tls")
public record TlsProperties(@DefaultValue("2376") int port, @Nullable Path certificate, @Nullable Path privateKey,
		@DefaultValue List<String> serverNames, @DefaultValue("0") int publicPort, @DefaultValue("") String publicHost,
		@DefaultValue("5s") Duration reloadInterval) {

	public boolean enabled() {
		return port > 0;
	}

	/** The {@code DOCKER_HOST} a tenant's bundle points at. */
	public String dockerHostOf(String tenant, String domain) {
		String host = publicHost.isBlank() ? tenant + "." + domain : publicHost;
		return "tcp://" + host + ":" + (publicPort > 0 ? publicPort : port);
	}

}
