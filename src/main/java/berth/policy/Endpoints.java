package berth.policy;

import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * Names the Docker API endpoint a path addresses, as a template with placeholders
 * ({@code /containers/{id}/logs}): the label of metrics and of hijack detection. The version prefix
 * is dropped.
 */
public final class Endpoints {

	/** Collections whose second segment is an object id unless it is one of the collection verbs. */
	private static final Set<String> BY_ID = Set.of("containers", "volumes", "networks", "exec", "nodes", "services",
			"tasks", "secrets", "configs", "plugins", "swarm");

	private static final Set<String> COLLECTION_VERBS = Set.of("json", "create", "prune", "pull", "privileges",
			"init", "join", "leave", "update", "unlockkey", "unlock");

	/** What may follow an object id; anything else is labelled "other", so no path can mint a label. */
	private static final Set<String> OBJECT_ACTIONS = Set.of("json", "logs", "attach", "attach/ws", "start", "stop",
			"restart", "kill", "pause", "unpause", "wait", "top", "changes", "export", "stats", "resize", "update",
			"rename", "archive", "exec", "connect", "disconnect", "enable", "disable", "push", "upgrade", "set");

	private static final Set<String> IMAGE_VERBS = Set.of("json", "create", "load", "get", "search", "prune");

	private static final Set<String> IMAGE_ACTIONS = Set.of("json", "history", "push", "tag", "get");

	private static final Set<String> TOP_LEVEL = Set.of("/_ping", "/version", "/info", "/events", "/system/df",
			"/auth", "/build", "/build/prune", "/build/cancel", "/commit", "/session", "/grpc", "/volumes", "/networks",
			"/swarm", "/nodes", "/services", "/tasks", "/secrets", "/configs", "/plugins", "/images/json");

	private Endpoints() {
	}

	/** The path without its {@code /v1.NN} prefix. */
	public static String unversioned(String path) {
		int prefix = versionPrefix(path);
		return prefix > 0 && prefix < path.length() ? path.substring(prefix) : path;
	}

	/**
	 * The length of a version prefix ({@code /vN} or {@code /vN.M}, digits only) that is the whole path
	 * or is followed by {@code /}; 0 when the path has none.
	 */
	static int versionPrefix(String path) {
		if (!path.startsWith("/v")) {
			return 0;
		}
		int i = digits(path, 2);
		if (i == 2) {
			return 0;
		}
		if (i < path.length() && path.charAt(i) == '.') {
			int minor = digits(path, i + 1);
			if (minor == i + 1) {
				return 0;
			}
			i = minor;
		}
		return i == path.length() || path.charAt(i) == '/' ? i : 0;
	}

	/** The last template worked out on this thread, and the path it is of. */
	private static final ThreadLocal<@Nullable Memo> LAST = new ThreadLocal<>();

	private record Memo(String rawPath, String template) {
	}

	/** The index after the ASCII digits that start at {@code from}. */
	private static int digits(String path, int from) {
		int i = from;
		while (i < path.length() && path.charAt(i) >= '0' && path.charAt(i) <= '9') {
			i++;
		}
		return i;
	}

	public static String template(String rawPath) {
		// one request asks for its template several times (policy, isolation, metrics), in a row
		Memo last = LAST.get();
		if (last != null && last.rawPath().equals(rawPath)) {
			return last.template();
		}
		String template = templateOf(rawPath);
		LAST.set(new Memo(rawPath, template));
		return template;
	}

	private static String templateOf(String rawPath) {
		String path = unversioned(rawPath);
		String[] segments = path.substring(1).split("/", -1);
		String first = segments[0];
		if (segments.length >= 2 && BY_ID.contains(first)) {
			if (segments.length == 2 && COLLECTION_VERBS.contains(segments[1])) {
				return "/" + first + "/" + segments[1];
			}
			String action = String.join("/", java.util.Arrays.copyOfRange(segments, 2, segments.length));
			if (action.isEmpty()) {
				return "/" + first + "/{id}";
			}
			return OBJECT_ACTIONS.contains(action) ? "/" + first + "/{id}/" + action : "other";
		}
		if (first.equals("images") && segments.length >= 2) {
			if (segments.length == 2 && IMAGE_VERBS.contains(segments[1])) {
				return "/images/" + segments[1];
			}
			String last = segments[segments.length - 1];
			return segments.length > 2 && IMAGE_ACTIONS.contains(last) ? "/images/{name}/" + last : "/images/{name}";
		}
		if (first.equals("distribution")) {
			return "/distribution/{name}/json";
		}
		return TOP_LEVEL.contains(path) ? path : "other";
	}

	/** Endpoints that hijack the connection when asked to upgrade: the registry's rows that say so. */
	public static boolean upgrades(String template) {
		return ApiTable.upgrades(template);
	}

}
