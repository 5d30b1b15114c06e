package berth.backend;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Which engine serves tenants.
 *
 * @param dockerHost the shared engine, {@code unix:///path} or {@code tcp://host:port}
 *     ({@code BERTH_DOCKER_HOST})
 */
@ConfigurationProperties("berth.backend")
public record BackendProperties(@DefaultValue("unix:///var/run/docker.sock") String dockerHost) {
}
