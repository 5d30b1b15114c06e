package berth.routes;

import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * One {@code host:port} entry of a labelled container, as the database keeps it.
 *
 * @param position the entry's place in the label, which keeps router names stable
 * @param targetUrl where Traefik reaches the container; null while it is stopped or has no address
 */
record RouteRow(String containerId, int position, UUID tenantId, String tenant, String engineId,
		String containerName, String host, int port, boolean running, @Nullable String targetUrl,
		@Nullable Instant startedAt) {

	/** Unique per tenant, container and entry; Traefik's router and service share it. */
	String routerName() {
		return tenant + "-" + containerId.substring(0, Math.min(12, containerId.length())) + "-" + position;
	}

}
