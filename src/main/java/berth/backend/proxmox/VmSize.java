package berth.backend.proxmox;

import org.jspecify.annotations.Nullable;

/** A {@code proxmox} plan's VM: cores, memory in MiB, and the disk size in GiB when the plan sets one. */
record VmSize(int cores, int memoryMib, @Nullable Integer diskGib) {
}
