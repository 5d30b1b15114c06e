package berth.backend.proxmox;

/**
 * A Proxmox task's id, {@code UPID:<node>:<pid>:<pstart>:<starttime>:<type>:<id>:<user>:}. A task is
 * polled on the node it names, which for a clone is the template's node, not the new VM's; and a
 * clone's id field is the template's VMID.
 */
record Upid(String text, String node, String type, String id) {

	static Upid parse(String text) {
		String[] parts = text.split(":", -1);
		if (parts.length < 9 || !"UPID".equals(parts[0]) || parts[1].isEmpty() || parts[5].isEmpty()) {
			throw new ProxmoxException(ProxmoxException.Kind.PROTOCOL, "not a task id: " + text);
		}
		return new Upid(text, parts[1], parts[5], parts[6]);
	}

	@Override
	public String toString() {
		return text;
	}

}
