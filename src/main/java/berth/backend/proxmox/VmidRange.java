package berth.backend.proxmox;

import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * The VMIDs Berth gives out, {@code 10000-19999}. {@code /cluster/nextid} reserves nothing and hands
 * the same id to concurrent callers, so Berth picks at random among the ids of the range that no VM
 * has, and takes another when a clone answers that the id was taken after all.
 */
record VmidRange(int first, int last) {

	VmidRange {
		if (first < 100 || last < first || last > 999_999_999) {
			throw new IllegalArgumentException("a VMID range is first-last within 100-999999999, not " + first + "-" + last);
		}
	}

	static VmidRange parse(String text) {
		String[] bounds = text.trim().split("-", -1);
		if (bounds.length != 2) {
			throw new IllegalArgumentException("berth.backend.proxmox.vmid-range is first-last, e.g. 10000-19999, not '" + text + "'");
		}
		try {
			return new VmidRange(Integer.parseInt(bounds[0].trim()), Integer.parseInt(bounds[1].trim()));
		}
		catch (NumberFormatException e) {
			throw new IllegalArgumentException("berth.backend.proxmox.vmid-range is first-last, e.g. 10000-19999, not '" + text + "'");
		}
	}

	boolean contains(int vmid) {
		return vmid >= first && vmid <= last;
	}

	/** A free id, or -1 when every id of the range is used. */
	int pick(Set<Integer> used, RandomGenerator random) {
		int size = last - first + 1;
		int start = random.nextInt(size);
		for (int i = 0; i < size; i++) {
			int vmid = first + (start + i) % size;
			if (!used.contains(vmid)) {
				return vmid;
			}
		}
		return -1;
	}

}
