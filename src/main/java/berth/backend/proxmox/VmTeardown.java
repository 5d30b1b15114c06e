package berth.backend.proxmox;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import berth.account.TenantRef;
import berth.backend.BackendTeardown;

/**
 * Destroys a deleted tenant's VM: claims its row like a wake does, stops the VM, destroys it with its
 * disks, and records it gone. A VM at the recorded VMID without the tenant's tag is not the tenant's
 * (another caller took the VMID): it is left alone and the row is closed.
 */
final class VmTeardown implements BackendTeardown {

	private static final Logger log = LoggerFactory.getLogger(VmTeardown.class);

	private static final Logger audit = LoggerFactory.getLogger("berth.audit");

	private static final Duration LEASE = Duration.ofMinutes(2);

	private final ProxmoxClient client;

	private final TenantVms vms;

	private final VmWaker waker;

	private final String owner;

	VmTeardown(ProxmoxClient client, TenantVms vms, VmWaker waker, String owner) {
		this.client = client;
		this.vms = vms;
		this.waker = waker;
		this.owner = owner;
	}

	@Override
	public String planBackend() {
		return "proxmox";
	}

	@Override
	public Mono<TornDown> tearDown(TenantRef tenant) {
		return blocking(() -> vms.find(tenant.id())).flatMap(found -> {
			if (found.isEmpty() || found.get().state() == VmState.GONE) {
				return Mono.just(new TornDown("proxmox-vm", Map.of()));
			}
			return blocking(() -> vms.claim(tenant.id(), tenant.name(), owner, LEASE)).flatMap(claimed -> claimed
				.map(vm -> destroy(tenant, vm))
				.orElseGet(() -> Mono.error(new IllegalStateException("another replica holds the VM of " + tenant.name()))));
		});
	}

	private Mono<TornDown> destroy(TenantRef tenant, TenantVm vm) {
		waker.known(tenant.id()).ifPresent(engine -> waker.forget(tenant.id(), engine));
		TenantVm destroying = vm.state() == VmState.DESTROYING ? vm : vm.destroying();
		Mono<Boolean> removed = destroying.vmid() == null ? Mono.just(false)
				: client.vms().flatMap(all -> {
					Optional<ProxmoxClient.Vm> there = all.stream().filter(v -> v.vmid() == destroying.vmid()).findFirst();
					if (there.isEmpty()) {
						return Mono.just(false);
					}
					if (!there.get().tags().contains(destroying.tag())) {
						log.warn("VM {} is not tagged {}: not the tenant's, left alone", destroying.vmid(), destroying.tag());
						return Mono.just(false);
					}
					String node = there.get().node();
					Mono<Void> stopped = "running".equals(there.get().status())
							? client.shutdown(node, destroying.vmid()).flatMap(client::await) : Mono.empty();
					return stopped.then(client.destroy(node, destroying.vmid()).flatMap(client::await)).thenReturn(true);
				});
		return save(destroying).then(removed).flatMap(gone -> save(destroying.gone()).thenReturn(gone)).map(gone -> {
			audit.info("tenant={} vm: destroyed vmid={}", tenant.name(), destroying.vmid());
			return new TornDown("proxmox-vm", gone ? Map.of("vms", 1) : Map.of());
		}).doFinally(signal -> Schedulers.boundedElastic().schedule(() -> vms.release(destroying, owner)));
	}

	private Mono<Boolean> save(TenantVm vm) {
		return blocking(() -> {
			if (!vms.save(vm, owner, LEASE)) {
				throw new IllegalStateException("lost the claim on the VM of " + vm.tenantName());
			}
			return true;
		});
	}

	private static <T> Mono<T> blocking(java.util.concurrent.Callable<T> work) {
		return Mono.fromCallable(work).subscribeOn(Schedulers.boundedElastic());
	}

}
