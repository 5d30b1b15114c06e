package berth.backend.proxmox;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Where a tenant's VM is in its life, and which moves are legal from here. The moves are the only
 * ones {@link TenantVm} makes; anything else is a bug and refused.
 */
public enum VmState {

	/** No VM yet. */
	ABSENT,
	/** A VMID and node are chosen; the clone task runs (its UPID saved). */
	CLONING,
	/** The clone is configured (tag, size, cloud-init); the start task runs. */
	STARTING,
	/** The VM runs; Berth waits for its address and for its engine to answer over mutual TLS. */
	BOOTING,
	/** Its engine answers: requests go through. */
	READY,
	/** Stopped for idleness; the shutdown task runs. */
	STOPPING,
	STOPPED,
	/** The tenant is gone; the VM is being destroyed. */
	DESTROYING,
	/** The VM no longer exists. */
	GONE,
	/** The last step failed (see the row's last error); the next wake resumes from what Proxmox shows. */
	FAILED;

	static {
		ABSENT.next = EnumSet.of(CLONING, FAILED, DESTROYING, GONE);
		CLONING.next = EnumSet.of(CLONING, STARTING, FAILED, DESTROYING);
		STARTING.next = EnumSet.of(STARTING, BOOTING, FAILED, DESTROYING);
		BOOTING.next = EnumSet.of(READY, FAILED, STOPPING, DESTROYING);
		READY.next = EnumSet.of(BOOTING, STOPPING, FAILED, DESTROYING);
		STOPPING.next = EnumSet.of(STOPPED, FAILED, DESTROYING);
		STOPPED.next = EnumSet.of(STARTING, DESTROYING, FAILED);
		DESTROYING.next = EnumSet.of(DESTROYING, GONE, FAILED);
		GONE.next = EnumSet.of(CLONING, FAILED);
		FAILED.next = EnumSet.of(CLONING, STARTING, BOOTING, STOPPING, STOPPED, DESTROYING, GONE);
	}

	private Set<VmState> next = Set.of();

	public boolean canMoveTo(VmState state) {
		return next.contains(state);
	}

	/** Whether a wake has a VM to start (or one that is on its way) rather than one to clone. */
	boolean hasVm() {
		return this != ABSENT && this != GONE;
	}

	/** Whether the lifecycle is in the middle of a step that some replica drives. */
	boolean moving() {
		return this == CLONING || this == STARTING || this == BOOTING || this == STOPPING || this == DESTROYING;
	}

	public String lower() {
		return name().toLowerCase(Locale.ROOT);
	}

	static VmState of(String lower) {
		return valueOf(lower.toUpperCase(Locale.ROOT));
	}

}
