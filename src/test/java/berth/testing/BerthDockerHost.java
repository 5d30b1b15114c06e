package berth.testing;

import java.net.URI;

import org.testcontainers.dockerclient.DockerClientProviderStrategy;
import org.testcontainers.dockerclient.TransportConfig;

/**
 * Points Testcontainers at the Berth under test, as a developer's {@code DOCKER_HOST} would: the Docker
 * host is the system property {@value #PROPERTY} ({@code tcp://<key>.berth.localhost:<port>}, the key
 * in the Host, since Testcontainers sends no headers of a user's choosing). A JVM cannot set its own
 * environment, so this strategy, found through {@code ServiceLoader} and ranked first, stands in for
 * {@code DOCKER_HOST}. Without the property it does not apply, and it is never written to the user's
 * {@code ~/.testcontainers.properties}.
 */
public final class BerthDockerHost extends DockerClientProviderStrategy {

	public static final String PROPERTY = "berth.testcontainers.docker-host";

	@Override
	public String getDescription() {
		return "the Berth under test (" + System.getProperty(PROPERTY) + ")";
	}

	@Override
	protected boolean isApplicable() {
		return System.getProperty(PROPERTY) != null;
	}

	@Override
	protected boolean isPersistable() {
		return false;
	}

	@Override
	protected int getPriority() {
		return Integer.MAX_VALUE;
	}

	@Override
	public TransportConfig getTransportConfig() {
		return TransportConfig.builder().dockerHost(URI.create(System.getProperty(PROPERTY))).build();
	}

}
