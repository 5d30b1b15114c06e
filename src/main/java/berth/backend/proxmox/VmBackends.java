package berth.backend.proxmox;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.context.event.EventListener;
import reactor.core.publisher.Mono;

import berth.account.AuthProperties;
import berth.account.TenantRef;
import berth.backend.Backends;
import berth.backend.Engine;
import berth.backend.TenantPlanChanged;
import berth.outage.Database;
import berth.outage.LastKnown;

/**
 * Which engine serves a tenant when the Proxmox backend is on: the shared engine for tenants on a
 * {@code shared} plan, their own VM's for tenants on a {@code proxmox} plan. The plan's backend is
 * cached like the plan itself (no database hit per request); a tenant's VM engine is kept once ready.
 */
final class VmBackends implements Backends {

	private final Backends shared;

	private final VmWaker waker;

	private final LastKnown<UUID, Optional<VmSize>> plans;

	VmBackends(Backends shared, VmWaker waker, TenantVms vms, Database database, AuthProperties auth) {
		this.shared = shared;
		this.waker = waker;
		this.plans = new LastKnown<>("vm-plans", database, auth.cacheTtl(), auth.maxStale(), vms::planOf);
	}

	@Override
	public Mono<Engine> engineFor(TenantRef tenant) {
		return plans.get(tenant.id())
			.flatMap(vm -> vm.isPresent() ? waker.engine(tenant, vm.get()) : shared.engineFor(tenant));
	}

	@Override
	public List<Engine> engines() {
		return shared.engines();
	}

	@EventListener
	void on(TenantPlanChanged event) {
		plans.invalidate(event.tenantId());
	}

}
