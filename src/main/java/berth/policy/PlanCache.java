package berth.policy;

import java.time.Duration;
import java.util.UUID;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import berth.account.TenantRef;

/** A tenant's plan without a database hit per request, loaded off the event loop. */
@Component
class PlanCache {

	/** Published when an operator moves a tenant to another plan. */
	record TenantPlanChanged(UUID tenantId) {
	}

	private final AsyncLoadingCache<UUID, Plan> plans;

	PlanCache(Plans repository) {
		this.plans = Caffeine.newBuilder()
			.maximumSize(100_000)
			.expireAfterWrite(Duration.ofSeconds(30))
			.refreshAfterWrite(Duration.ofSeconds(10))
			.executor(task -> Schedulers.boundedElastic().schedule(task))
			.buildAsync(tenantId -> repository.ofTenant(tenantId)
				.orElseThrow(() -> new IllegalStateException("tenant " + tenantId + " has no plan")));
	}

	Mono<Plan> of(TenantRef tenant) {
		return Mono.fromFuture(plans.get(tenant.id()), true);
	}

	@EventListener
	void on(TenantPlanChanged event) {
		plans.synchronous().invalidate(event.tenantId());
	}

}
