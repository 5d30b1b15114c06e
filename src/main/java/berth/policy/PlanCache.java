package berth.policy;

import java.util.UUID;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

import berth.account.AuthProperties;
import berth.account.TenantRef;
import berth.outage.Database;
import berth.outage.LastKnown;

/**
 * A tenant's plan without a database hit per request, loaded off the event loop and trusted as long
 * as a key is ({@code berth.auth.cache-ttl}). While the database is away the last known plan still
 * applies, for up to {@code berth.auth.max-stale}; a tenant whose plan is not known is refused creates
 * with a 503 rather than let through without limits.
 */
@Component
class PlanCache {

	/** Published when an operator moves a tenant to another plan. */
	record TenantPlanChanged(UUID tenantId) {
	}

	private final LastKnown<UUID, Plan> plans;

	PlanCache(Plans repository, Database database, AuthProperties auth) {
		this.plans = new LastKnown<>("plans", database, auth.cacheTtl(), auth.maxStale(),
				tenantId -> repository.ofTenant(tenantId)
					.orElseThrow(() -> new IllegalStateException("tenant " + tenantId + " has no plan")));
	}

	Mono<Plan> of(TenantRef tenant) {
		return plans.get(tenant.id());
	}

	@EventListener
	void on(TenantPlanChanged event) {
		plans.invalidate(event.tenantId());
	}

}
