package berth.backend.proxmox;

import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * A tenant's VM as Berth last recorded it: the lifecycle state and what each step found out (VMID,
 * node, the task that runs, the address), and the claim under which a replica acts on it. Immutable;
 * each move answers a new value and refuses the moves {@link VmState} does not allow.
 *
 * @param epoch the claim's generation: a save succeeds only while the row still has it
 */
public record TenantVm(UUID tenantId, String tenantName, VmState state, @Nullable Integer vmid, @Nullable String node,
		@Nullable String upid, @Nullable String address, long epoch, @Nullable String lastError, Instant stateSince) {

	/** A move to another state refused by the lifecycle. */
	public static final class IllegalMove extends IllegalStateException {

		IllegalMove(TenantVm vm, VmState to) {
			super("the VM of tenant " + vm.tenantName + " cannot move from " + vm.state.lower() + " to " + to.lower());
		}

	}

	static TenantVm absent(UUID tenantId, String tenantName) {
		return new TenantVm(tenantId, tenantName, VmState.ABSENT, null, null, null, null, 0, null, Instant.now());
	}

	/** The tag a VM carries in Proxmox when it is this tenant's: a name alone never makes it so. */
	String tag() {
		return tag(tenantName);
	}

	static String tag(String tenantName) {
		return "berth-" + tenantName;
	}

	/** A clone into this VMID on this node begins (or begins again with another VMID after a race). */
	TenantVm cloning(int vmid, String node) {
		return new TenantVm(tenantId, tenantName, to(VmState.CLONING), vmid, node, null, null, epoch, null,
				since(VmState.CLONING));
	}

	/** The step's task runs: saved before Berth waits for it, so another replica can wait for it too. */
	TenantVm running(Upid task) {
		return new TenantVm(tenantId, tenantName, state, vmid, node, task.text(), address, epoch, lastError, stateSince);
	}

	/** The VM is there (cloned, or found stopped): it is started next. */
	TenantVm starting() {
		return new TenantVm(tenantId, tenantName, to(VmState.STARTING), vmid, node, null, address, epoch, null,
				since(VmState.STARTING));
	}

	TenantVm booting() {
		return new TenantVm(tenantId, tenantName, to(VmState.BOOTING), vmid, node, null, address, epoch, null,
				since(VmState.BOOTING));
	}

	/** A static address was given to the VM through cloud-init, or the guest agent reported one. */
	TenantVm at(String address) {
		return new TenantVm(tenantId, tenantName, state, vmid, node, upid, address, epoch, lastError, stateSince);
	}

	TenantVm ready() {
		if (address == null) {
			throw new IllegalStateException("a VM is ready only with an address");
		}
		return new TenantVm(tenantId, tenantName, to(VmState.READY), vmid, node, null, address, epoch, null,
				since(VmState.READY));
	}

	TenantVm stopping() {
		return new TenantVm(tenantId, tenantName, to(VmState.STOPPING), vmid, node, null, address, epoch, null,
				since(VmState.STOPPING));
	}

	TenantVm stopped() {
		return new TenantVm(tenantId, tenantName, to(VmState.STOPPED), vmid, node, null, address, epoch, null,
				since(VmState.STOPPED));
	}

	TenantVm destroying() {
		return new TenantVm(tenantId, tenantName, to(VmState.DESTROYING), vmid, node, null, address, epoch, lastError,
				since(VmState.DESTROYING));
	}

	TenantVm gone() {
		return new TenantVm(tenantId, tenantName, to(VmState.GONE), null, null, null, null, epoch, null,
				since(VmState.GONE));
	}

	/** Keeps the last task: a recovery can tell from it whether a clone made the VM. */
	TenantVm failed(String error) {
		return new TenantVm(tenantId, tenantName, to(VmState.FAILED), vmid, node, upid, address, epoch, error,
				since(VmState.FAILED));
	}

	TenantVm claimedAt(long epoch) {
		return new TenantVm(tenantId, tenantName, state, vmid, node, upid, address, epoch, lastError, stateSince);
	}

	private VmState to(VmState next) {
		if (!state.canMoveTo(next)) {
			throw new IllegalMove(this, next);
		}
		return next;
	}

	private Instant since(VmState next) {
		return next == state ? stateSince : Instant.now();
	}

}
