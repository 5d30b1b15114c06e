package berth.routes;

import java.util.Map;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.stereotype.Component;

/**
 * Route publishing in {@code /actuator/health} as component {@code routes}: {@code UP} while Redis
 * holds what the database says and every engine's event stream is followed, {@code DEGRADED}
 * otherwise. DEGRADED ranks between DOWN and UP and answers HTTP 200: the Docker API works without
 * Redis, so a load balancer must not take Berth out of service for it.
 */
@Component("routesHealthIndicator")
@ConditionalOnProperty(prefix = "berth.routes", name = "enabled", havingValue = "true", matchIfMissing = true)
class RoutesHealth implements HealthIndicator {

	static final Status DEGRADED = new Status("DEGRADED", "routes are not (all) published as they should be");

	private final RoutePublisher publisher;

	RoutesHealth(RoutePublisher publisher) {
		this.publisher = publisher;
	}

	@Override
	public Health health() {
		RoutePublisher.State state = publisher.state();
		boolean following = !state.engineEvents().containsValue(false);
		Health.Builder health = state.inSync() && following ? Health.up() : Health.status(DEGRADED);
		health.withDetail("published", state.published()).withDetail("inSync", state.inSync());
		if (state.lastFullSync() != null) {
			health.withDetail("lastFullSync", state.lastFullSync().toString());
		}
		if (state.lastError() != null) {
			health.withDetail("error", state.lastError());
		}
		if (state.failingSince() != null) {
			health.withDetail("failingSince", state.failingSince().toString());
		}
		Map<String, Boolean> engines = state.engineEvents();
		engines.forEach((engine, followed) -> health.withDetail("engineEvents." + engine, followed ? "followed" : "lost"));
		return health.build();
	}

}
