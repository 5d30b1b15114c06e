package berth.backend.proxmox;

import java.time.Instant;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import berth.account.Tenant;
import berth.account.Tenants;

/**
 * {@code GET /api/v1/tenants/{name}/backend}: which kind of backend serves the tenant, and for a VM
 * where it is in its life (state, node, VMID, address, since when, the last error).
 */
@RestController
class TenantBackendController {

	/** What an operator sees; the VM's fields are null on the shared engine or before the first wake. */
	record TenantBackend(String tenant, String kind, @Nullable String state, @Nullable String node,
			@Nullable Integer vmid, @Nullable String address, @Nullable Instant since, @Nullable String lastError) {
	}

	private final Tenants tenants;

	private final TenantVms vms;

	TenantBackendController(Tenants tenants, JdbcClient jdbc) {
		this.tenants = tenants;
		this.vms = new TenantVms(jdbc);
	}

	@GetMapping("/api/v1/tenants/{name}/backend")
	Mono<TenantBackend> get(@PathVariable String name) {
		return Mono.fromCallable(() -> {
			Tenant tenant = tenants.findByName(name)
				.orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "no tenant named '" + name + "'"));
			boolean proxmox = vms.planOf(tenant.id()).isPresent();
			Optional<TenantVm> vm = vms.find(tenant.id());
			if (!proxmox && vm.isEmpty()) {
				return new TenantBackend(name, "shared", null, null, null, null, null, null);
			}
			TenantVm row = vm.orElse(TenantVm.absent(tenant.id(), name));
			return new TenantBackend(name, proxmox ? "proxmox" : "shared", row.state().lower(), row.node(), row.vmid(),
					row.address(), vm.isPresent() ? row.stateSince() : null, row.lastError());
		}).subscribeOn(Schedulers.boundedElastic());
	}

}
