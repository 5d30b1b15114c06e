package berth.routes;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * The label contract: {@code berth.http} (or its synonym {@code com.wip.http}) holds one or more
 * comma-separated {@code host:port} entries. {@code port} is the container port (1-65535). A host
 * without a dot is a keyword, published as {@code <keyword>.<tenant>.<domain>}; a host with dots is a
 * custom domain. Host names are case-insensitive and kept in lowercase.
 */
final class HttpLabels {

	static final String LABEL = "berth.http";

	static final String SYNONYM = "com.wip.http";

	static final int MAX_ENTRIES = 10;

	private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");

	/** One {@code host:port} entry as written (host in lowercase, not yet expanded). */
	record Entry(String host, int port) {

		boolean isKeyword() {
			return host.indexOf('.') < 0;
		}

	}

	/** A label that breaks the contract; the message is meant for the user. */
	static final class Invalid extends RuntimeException {

		Invalid(String message) {
			super(message, null, false, false);
		}

	}

	private HttpLabels() {
	}

	/**
	 * The route label of a container, or null when it has none.
	 * @throws Invalid when both labels are present and disagree
	 */
	static @Nullable String value(Map<String, String> labels) {
		String main = labels.get(LABEL);
		String synonym = labels.get(SYNONYM);
		if (main != null && synonym != null && !main.equals(synonym)) {
			throw new Invalid("labels " + LABEL + " and " + SYNONYM + " disagree; use one of them");
		}
		return main != null ? main : synonym;
	}

	/** @throws Invalid when the value is malformed: bad host, bad port, a host twice, too many entries */
	static List<Entry> parse(String value) {
		if (value.isBlank()) {
			return List.of();
		}
		String[] parts = value.split(",", -1);
		if (parts.length > MAX_ENTRIES) {
			throw new Invalid(LABEL + " has " + parts.length + " entries; at most " + MAX_ENTRIES + " are allowed");
		}
		List<Entry> entries = new ArrayList<>();
		Set<String> hosts = new HashSet<>();
		for (String raw : parts) {
			Entry entry = entry(raw.trim());
			if (!hosts.add(entry.host())) {
				throw new Invalid(LABEL + " names host '" + entry.host() + "' twice");
			}
			entries.add(entry);
		}
		return List.copyOf(entries);
	}

	private static Entry entry(String raw) {
		if (raw.isEmpty()) {
			throw new Invalid(LABEL + " has an empty entry; write host:port[,host:port...], e.g. front:80");
		}
		int colon = raw.lastIndexOf(':');
		if (colon < 0) {
			throw new Invalid(LABEL + " entry '" + raw + "' has no port; write host:port, e.g. front:80");
		}
		String host = raw.substring(0, colon).trim().toLowerCase(Locale.ROOT);
		String port = raw.substring(colon + 1).trim();
		if (!PORT.matcher(port).matches() || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
			throw new Invalid(LABEL + " entry '" + raw + "' has a bad port: the container port must be 1 to 65535");
		}
		boolean valid = host.indexOf('.') < 0 ? Hostnames.isLabel(host) : Hostnames.isDomainName(host);
		if (!valid) {
			throw new Invalid(LABEL + " entry '" + raw
					+ "' has a bad host: a keyword is a DNS label (letters, digits, inner hyphens), a custom domain a DNS name");
		}
		return new Entry(host, Integer.parseInt(port));
	}

}
