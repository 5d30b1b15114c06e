package berth.routes;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How routes are published to Traefik.
 *
 * @param enabled publish routes to Redis at all (the label checks and the admin API work either way)
 * @param rootKey Traefik's {@code providers.redis.rootKey}, without slashes
 * @param entryPoint the Traefik entry point routers listen on
 * @param certResolver the Traefik certificate resolver routers use; empty writes no TLS keys (TLS then
 *     comes from the entry point's own configuration)
 * @param target where Traefik reaches a container
 * @param network with {@code target=container-ip}, the network whose address to prefer when a
 *     container is on several; empty takes the first by name
 * @param publishedHost with {@code target=published-port}, the address at which Traefik reaches the
 *     engine's published ports
 * @param apex the permanent route for the platform's own name
 * @param resyncInterval how often the engine's state, the database and Redis are reconciled in full
 * @param checkInterval how often Redis is checked for lost data (a flush, a restart) or a pending
 *     publication is retried
 * @param domainCacheTtl how long create-time checks trust a tenant's cached list of custom domains
 */
@ConfigurationProperties("berth.routes")
record RouteProperties(@DefaultValue("true") boolean enabled, @DefaultValue("traefik") String rootKey,
		@DefaultValue("websecure") String entryPoint, @DefaultValue("le") String certResolver,
		@DefaultValue("container-ip") Target target, @DefaultValue("") String network,
		@DefaultValue("127.0.0.1") String publishedHost, @DefaultValue Apex apex,
		@DefaultValue("30s") Duration resyncInterval, @DefaultValue("2s") Duration checkInterval,
		@DefaultValue("30s") Duration domainCacheTtl) {

	/** Keys Berth keeps for itself (what each route owns) live outside Traefik's prefix. */
	static final String INDEX_PREFIX = "berth:routes:";

	RouteProperties {
		if (rootKey.isEmpty() || rootKey.startsWith("/") || rootKey.endsWith("/")) {
			throw new IllegalArgumentException("berth.routes.root-key must be non-empty, without leading or trailing '/'");
		}
		if (INDEX_PREFIX.startsWith(rootKey) || rootKey.startsWith(INDEX_PREFIX)) {
			throw new IllegalArgumentException("berth.routes.root-key must not overlap Berth's own keys " + INDEX_PREFIX);
		}
	}

	enum Target {

		/** the container's address on its network: Traefik must be able to route to it */
		CONTAINER_IP,
		/** the host port the container's port is published on, at {@code published-host} */
		PUBLISHED_PORT

	}

	/**
	 * @param router name of the permanent router (and service) for the apex name
	 * @param url where Traefik sends requests for the apex name
	 */
	record Apex(@DefaultValue("berth-apex") String router, @DefaultValue("http://127.0.0.1:2375") String url) {
	}

}
