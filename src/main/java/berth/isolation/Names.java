package berth.isolation;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * Each tenant's names live in a namespace of their own on a shared engine: the engine-side name of a
 * tenant's container, volume or network is {@code <tenant>_<name>}. Tenant names are DNS labels and
 * never contain {@code _}, so splitting an engine-side name at its first {@code _} is unambiguous, and
 * no tenant can name another's object: {@code bob_web} given by tenant {@code acme} is
 * {@code acme_bob_web}. Pure functions; the gateway and any other request path use the same ones.
 */
public final class Names {

	static final char SEPARATOR = '_';

	/** What the tenant calls its own default network, as a private engine calls its own. */
	static final String DEFAULT_NETWORK = "bridge";

	/** The engine's predefined networks: a tenant can neither create nor remove one of these names. */
	static final List<String> PREDEFINED_NETWORKS = List.of("bridge", "host", "none", "default");

	/** Container and volume names the engine accepts (at least two characters). */
	static final Pattern OBJECT_NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]+");

	/** Network names Berth can address (the engine would take almost anything). */
	static final Pattern NETWORK_NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,199}");

	private static final SecureRandom RANDOM = new SecureRandom();

	private static final String[] MOODS = { "amber", "brisk", "calm", "deft", "eager", "fair", "gentle", "hardy",
			"keen", "lucid", "merry", "nimble", "plucky", "quiet", "rapid", "sturdy", "tidy", "upbeat", "vivid",
			"witty", "bold", "crisp", "dapper", "frank", "jolly", "loyal", "mellow", "proud", "sunny", "trusty",
			"wise", "zesty" };

	private static final String[] HARBOUR = { "anchor", "beacon", "bollard", "buoy", "cable", "capstan", "cleat",
			"compass", "dinghy", "dock", "ferry", "galley", "hawser", "hull", "jetty", "keel", "lantern", "mast",
			"mooring", "oar", "pier", "pilot", "quay", "rudder", "sail", "skiff", "slip", "tender", "tide", "tug",
			"wharf", "winch" };

	private Names() {
	}

	/** The engine-side name of the tenant's object {@code name}. */
	public static String engineSide(String tenant, String name) {
		return tenant + SEPARATOR + name;
	}

	/**
	 * What the tenant sees for an engine-side name (an optional leading {@code /} is kept): its own
	 * names without the prefix; any other name as it is.
	 */
	public static String shown(String tenant, String engineName) {
		int start = engineName.startsWith("/") ? 1 : 0;
		if (engineName.length() > start + tenant.length() + 1 && engineName.charAt(start + tenant.length()) == SEPARATOR
				&& engineName.startsWith(tenant, start)) {
			return engineName.substring(0, start) + engineName.substring(start + tenant.length() + 1);
		}
		return engineName;
	}

	/** The engine-side name of the tenant's default network (created lazily, shown as {@code bridge}). */
	public static String defaultNetwork(String tenant) {
		return engineSide(tenant, DEFAULT_NETWORK);
	}

	/**
	 * The query of a container create, with a name for the container if it has none (the engine's
	 * own generated names would not be in the tenant's namespace).
	 */
	public static String namedCreate(@Nullable String rawQuery) {
		Query query = Query.parse(rawQuery);
		String name = query.first("name");
		return name == null || name.isEmpty() || name.equals("/") ? query.with("name", generatedContainerName())
				: rawQuery == null ? "" : rawQuery;
	}

	/** A name for a container created without one, like the engine's own (adjective_noun), plus digits. */
	static String generatedContainerName() {
		return MOODS[RANDOM.nextInt(MOODS.length)] + SEPARATOR + HARBOUR[RANDOM.nextInt(HARBOUR.length)]
				+ (1000 + RANDOM.nextInt(9000));
	}

	/** A name for a volume created without one: 64 hex digits, like the engine's. */
	static String generatedVolumeName() {
		byte[] bytes = new byte[32];
		RANDOM.nextBytes(bytes);
		return HexFormat.of().formatHex(bytes);
	}

}
