package berth.policy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;

/**
 * Every Docker Engine API endpoint Berth knows, with its decision. Default deny: an endpoint that is
 * not in this table is refused. Keys are {@code METHOD template} with the version prefix removed.
 */
final class ApiTable {

	/** A query parameter the policy reads, with the values it accepts. */
	record QueryRule(String name, String rule, Predicate<String> accepts, String refusal) {
	}

	/** One endpoint's decision: refused (with the reason) or allowed with its body kind and checks. */
	record Endpoint(String key, @Nullable String refusal, Body body, @Nullable Schema schema, List<QueryRule> query) {

		boolean refused() {
			return refusal != null;
		}

	}

	private static final Map<String, Endpoint> TABLE = new LinkedHashMap<>();


	private static final List<QueryRule> BUILD_QUERY = List.of(
			new QueryRule("networkmode", "build-network",
					mode -> !mode.equals("host") && !mode.startsWith("container:"),
					"builds cannot use the host's or another container's network"),
			new QueryRule("cgroupparent", "build-cgroup", String::isEmpty, "builds cannot choose their cgroup parent"),
			new QueryRule("isolation", "build-isolation", v -> v.isEmpty() || v.equals("default"),
					"builds cannot choose an isolation technology"),
			new QueryRule("remote", "build-remote", String::isEmpty,
					"the engine does not fetch build contexts (no daemon-side fetches): send the context from the client"),
			new QueryRule("version", "buildkit", v -> v.isEmpty() || v.equals("1"),
					"BuildKit builds are not available on this engine; use the classic builder (DOCKER_BUILDKIT=0)"),
			new QueryRule("session", "buildkit", String::isEmpty,
					"BuildKit sessions are not available on this engine; use the classic builder (DOCKER_BUILDKIT=0)"));

	private static final List<QueryRule> IMAGE_CREATE_QUERY = List.of(new QueryRule("fromSrc", "import-url",
			v -> v.isEmpty() || v.equals("-"),
			"the engine does not fetch images from URLs (no daemon-side fetches): import from the client (docker import file.tar)"));

	static {
		// system
		allow("HEAD /_ping", "GET /_ping", "GET /version", "GET /info", "GET /events", "GET /system/df");
		stream("POST /auth");
		// containers
		allow("GET /containers/json", "POST /containers/prune");
		json("POST /containers/create", Schemas.CONTAINER_CREATE);
		allow("GET /containers/{id}/json", "GET /containers/{id}/top", "GET /containers/{id}/logs",
				"GET /containers/{id}/changes", "GET /containers/{id}/export", "GET /containers/{id}/stats",
				"GET /containers/{id}/archive", "HEAD /containers/{id}/archive", "POST /containers/{id}/start",
				"POST /containers/{id}/stop", "POST /containers/{id}/restart", "POST /containers/{id}/kill",
				"POST /containers/{id}/pause", "POST /containers/{id}/unpause", "POST /containers/{id}/wait",
				"POST /containers/{id}/resize", "POST /containers/{id}/rename", "POST /containers/{id}/attach",
				"DELETE /containers/{id}");
		stream("PUT /containers/{id}/archive");
		json("POST /containers/{id}/update", Schemas.CONTAINER_UPDATE);
		json("POST /containers/{id}/exec", Schemas.EXEC_CREATE);
		refuse("GET /containers/{id}/attach/ws", "websocket attach is not available through Berth; use docker attach");
		// exec
		json("POST /exec/{id}/start", Schemas.EXEC_START);
		allow("POST /exec/{id}/resize", "GET /exec/{id}/json");
		// images
		allow("GET /images/json", "GET /images/{name}/json", "GET /images/{name}/history", "POST /images/{name}/push",
				"POST /images/{name}/tag", "DELETE /images/{name}", "GET /images/search", "POST /images/prune",
				"GET /images/get", "GET /images/{name}/get", "GET /distribution/{name}/json", "POST /build/prune",
				"POST /build/cancel");
		put(new Endpoint("POST /build", null, Body.STREAM, null, BUILD_QUERY));
		put(new Endpoint("POST /images/create", null, Body.STREAM, null, IMAGE_CREATE_QUERY));
		stream("POST /images/load");
		json("POST /commit", Schemas.CONFIG);
		// networks
		allow("GET /networks", "GET /networks/{id}", "DELETE /networks/{id}", "POST /networks/prune");
		json("POST /networks/create", Schemas.NETWORK_CREATE);
		json("POST /networks/{id}/connect", Schemas.NETWORK_CONNECT);
		json("POST /networks/{id}/disconnect", Schemas.NETWORK_DISCONNECT);
		// volumes
		allow("GET /volumes", "GET /volumes/{id}", "DELETE /volumes/{id}", "POST /volumes/prune");
		json("POST /volumes/create", Schemas.VOLUME_CREATE);
		refuse("PUT /volumes/{id}", "cluster volumes need swarm, which is not available to tenants");
	}

	/** Whole families that need a trusted operator. */
	private static final Map<String, String> REFUSED_FAMILIES = Map.of("/swarm",
			"swarm is not available to tenants", "/nodes", "swarm is not available to tenants", "/services",
			"swarm services are not available to tenants", "/tasks", "swarm is not available to tenants", "/secrets",
			"swarm secrets are not available to tenants", "/configs", "swarm configs are not available to tenants",
			"/plugins", "plugins run privileged code and are installed by operators only");

	private ApiTable() {
	}

	static Endpoint lookup(String method, String template) {
		String key = method + " " + template;
		Endpoint known = TABLE.get(key);
		if (known != null) {
			return known;
		}
		for (Map.Entry<String, String> family : REFUSED_FAMILIES.entrySet()) {
			if (template.equals(family.getKey()) || template.startsWith(family.getKey() + "/")) {
				return new Endpoint(key, family.getValue(), Body.NONE, null, List.of());
			}
		}
		return new Endpoint(key, method + " " + template + " is not an endpoint Berth allows", Body.NONE, null,
				List.of());
	}

	/** The table, for documentation and tests. */
	static Map<String, Endpoint> all() {
		return Map.copyOf(TABLE);
	}

	private static void allow(String... keys) {
		for (String key : keys) {
			put(new Endpoint(key, null, Body.NONE, null, List.of()));
		}
	}

	private static void stream(String key) {
		put(new Endpoint(key, null, Body.STREAM, null, List.of()));
	}

	private static void json(String key, Schema schema) {
		put(new Endpoint(key, null, Body.JSON, schema, List.of()));
	}

	private static void refuse(String key, String reason) {
		put(new Endpoint(key, reason, Body.NONE, null, List.of()));
	}

	private static void put(Endpoint endpoint) {
		TABLE.put(endpoint.key(), endpoint);
	}

}
