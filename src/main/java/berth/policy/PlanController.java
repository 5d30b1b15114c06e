package berth.policy;

import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import berth.account.Tenant;
import berth.account.TenantRef;
import berth.account.Tenants;
import berth.backend.TenantPlanChanged;

@RestController
class PlanController {

	record PlanChoice(@Nullable String plan) {
	}

	record TenantPlan(String tenant, Plan plan) {
	}

	private final Plans plans;

	private final Tenants tenants;

	private final ApplicationEventPublisher events;

	private final ContainerCount containers;

	PlanController(Plans plans, Tenants tenants, ApplicationEventPublisher events, ContainerCount containers) {
		this.plans = plans;
		this.tenants = tenants;
		this.events = events;
		this.containers = containers;
	}

	/** A change of plan, and whether it moves the tenant to another kind of backend. */
	private record Move(Tenant tenant, String from, String to) {

		boolean changesBackend() {
			return !from.equals(to);
		}

	}

	@GetMapping("/api/v1/plans")
	Mono<List<Plan>> list() {
		return blocking(() -> plans.findAll());
	}

	@GetMapping("/api/v1/tenants/{name}/plan")
	Mono<TenantPlan> get(@PathVariable String name) {
		return blocking(() -> {
			Tenant tenant = tenant(name);
			return new TenantPlan(name, plans.ofTenant(tenant.id()).orElseThrow());
		});
	}

	@PutMapping("/api/v1/tenants/{name}/plan")
	Mono<TenantPlan> set(@PathVariable String name, @RequestBody PlanChoice choice) {
		String plan = choice.plan();
		if (plan == null || plan.isBlank()) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "plan is required");
		}
		return blocking(() -> {
			Tenant tenant = tenant(name);
			if (!plans.exists(plan)) {
				throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "no plan named '" + plan + "'");
			}
			return new Move(tenant, plans.backendOfTenant(tenant.id()), plans.backendOf(plan));
		}).flatMap(move -> !move.changesBackend() ? Mono.just(move)
				// the containers would stay behind on the old backend, out of the tenant's sight
				: containers.of(new TenantRef(move.tenant().id(), move.tenant().name())).map(count -> {
					if (count > 0) {
						throw new ResponseStatusException(HttpStatus.CONFLICT, "tenant '" + name + "' has " + count
								+ " container(s) on its " + move.from() + " backend; plan '" + plan + "' is served by the "
								+ move.to() + " backend, where they would not follow: remove them first");
					}
					return move;
				})).flatMap(move -> blocking(() -> {
					plans.assign(move.tenant().id(), plan);
					events.publishEvent(new PlanCache.TenantPlanChanged(move.tenant().id()));
					events.publishEvent(new TenantPlanChanged(move.tenant().id()));
					return new TenantPlan(name, plans.ofTenant(move.tenant().id()).orElseThrow());
				}));
	}

	private Tenant tenant(String name) {
		return tenants.findByName(name)
			.orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "no tenant named '" + name + "'"));
	}

	private static <T> Mono<T> blocking(java.util.concurrent.Callable<T> work) {
		return Mono.fromCallable(work).subscribeOn(Schedulers.boundedElastic());
	}

}
