package berth.backend.proxmox;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Where tenants' VMs are cloned from. Either one template per node ({@code pve1:9000,pve2:9001}: a
 * linked clone stays on its template's node, local storage is enough), or a bare {@code 9000}: one
 * template on shared storage, cloned on its own node with {@code target} set to the chosen node.
 */
record Templates(Map<String, Integer> perNode, OptionalInt shared) {

	static Templates parse(String text) {
		String trimmed = text.trim();
		if (trimmed.isEmpty()) {
			throw new IllegalArgumentException("berth.backend.proxmox.templates is required: pve1:9000,pve2:9001 or 9000");
		}
		if (!trimmed.contains(":")) {
			return new Templates(Map.of(), OptionalInt.of(vmid(trimmed, text)));
		}
		Map<String, Integer> perNode = new LinkedHashMap<>();
		for (String entry : trimmed.split(",")) {
			String[] parts = entry.trim().split(":", -1);
			if (parts.length != 2 || parts[0].isBlank()) {
				throw new IllegalArgumentException("berth.backend.proxmox.templates entries are node:vmid, not '" + entry + "'");
			}
			perNode.put(parts[0].trim(), vmid(parts[1], text));
		}
		return new Templates(Map.copyOf(perNode), OptionalInt.empty());
	}

	private static int vmid(String value, String text) {
		try {
			return Integer.parseInt(value.trim());
		}
		catch (NumberFormatException e) {
			throw new IllegalArgumentException("berth.backend.proxmox.templates: '" + value + "' in '" + text + "' is not a VMID");
		}
	}

	/** Whether a VM can be cloned onto the node. */
	boolean serves(String node) {
		return shared.isPresent() || perNode.containsKey(node);
	}

	boolean isTemplate(int vmid) {
		return shared.isPresent() ? shared.getAsInt() == vmid : perNode.containsValue(vmid);
	}

}
