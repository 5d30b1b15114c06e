package berth.backend.proxmox;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * Static addresses handed to VMs through cloud-init ({@code ipconfig0}), so that Berth knows a VM's
 * address without waiting for its guest agent: {@code 10.99.0.100-10.99.0.199/24,gw=10.99.0.1}.
 * IPv4 only.
 */
record AddressPool(int first, int last, int prefix, @Nullable String gateway) {

	static Optional<AddressPool> parse(String text) {
		String trimmed = text.trim();
		if (trimmed.isEmpty()) {
			return Optional.empty();
		}
		String error = "berth.backend.proxmox.address-pool is first-last/prefix[,gw=address], e.g. "
				+ "10.99.0.100-10.99.0.199/24,gw=10.99.0.1, not '" + text + "'";
		String[] parts = trimmed.split(",");
		String gateway = null;
		for (int i = 1; i < parts.length; i++) {
			String part = parts[i].trim();
			if (!part.startsWith("gw=")) {
				throw new IllegalArgumentException(error);
			}
			gateway = part.substring(3);
			ipv4(gateway, error);
		}
		String[] rangeAndPrefix = parts[0].trim().split("/", -1);
		String[] range = rangeAndPrefix[0].split("-", -1);
		if (rangeAndPrefix.length != 2 || range.length != 2) {
			throw new IllegalArgumentException(error);
		}
		int prefix;
		try {
			prefix = Integer.parseInt(rangeAndPrefix[1]);
		}
		catch (NumberFormatException e) {
			throw new IllegalArgumentException(error);
		}
		int first = ipv4(range[0], error);
		int last = ipv4(range[1], error);
		if (prefix < 1 || prefix > 32 || Integer.compareUnsigned(first, last) > 0) {
			throw new IllegalArgumentException(error);
		}
		return Optional.of(new AddressPool(first, last, prefix, gateway));
	}

	/** The first address of the pool that is not in use, or empty when all are. */
	Optional<String> pick(Set<String> used) {
		for (long a = Integer.toUnsignedLong(first); a <= Integer.toUnsignedLong(last); a++) {
			String address = text((int) a);
			if (!used.contains(address)) {
				return Optional.of(address);
			}
		}
		return Optional.empty();
	}

	boolean contains(String address) {
		int a = ipv4(address, address);
		return Integer.compareUnsigned(a, first) >= 0 && Integer.compareUnsigned(a, last) <= 0;
	}

	/** What cloud-init is told: {@code ip=10.99.0.100/24,gw=10.99.0.1}. */
	String ipconfig(String address) {
		return "ip=" + address + "/" + prefix + (gateway == null ? "" : ",gw=" + gateway);
	}

	private static int ipv4(String text, String error) {
		String trimmed = text.trim();
		if (!trimmed.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
			throw new IllegalArgumentException(error);
		}
		try {
			return ByteBuffer.wrap(InetAddress.getByName(trimmed).getAddress()).getInt();
		}
		catch (UnknownHostException e) {
			throw new IllegalArgumentException(error);
		}
	}

	private static String text(int address) {
		return (address >>> 24) + "." + (address >>> 16 & 0xff) + "." + (address >>> 8 & 0xff) + "." + (address & 0xff);
	}

}
