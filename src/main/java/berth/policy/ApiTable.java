package berth.policy;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;

/**
 * Every Docker Engine API endpoint Berth knows, with its decision. Default deny: an endpoint that is
 * not in this table is refused. Keys are {@code METHOD template} with the version prefix removed.
 *
 * <p>Each row also names the query parameters the engine reads for that endpoint. A parameter the
 * engine reads once ({@code r.FormValue}) takes its first value, so a repeated one would let Berth and
 * the engine each see a different value: it is refused, whether or not the policy reads it. Only the
 * parameters marked {@code *} (read as a list, {@code r.Form["t"]}) may repeat, and whatever reads them
 * reads every value.
 */
final class ApiTable {

	/** A query parameter the policy reads, with the values it accepts. */
	record QueryRule(String name, String rule, Predicate<String> accepts, String refusal) {
	}

	/**
	 * The query parameters the engine reads for an endpoint: those it reads once and those it reads as
	 * a list. Any other parameter is one the engine never reads.
	 */
	record Params(Set<String> single, Set<String> multi) {

		static final Params NONE = new Params(Set.of(), Set.of());

		/** From a row's spec: names separated by spaces, list-valued ones marked with a trailing {@code *}. */
		static Params of(String spec) {
			Set<String> single = new LinkedHashSet<>();
			Set<String> multi = new LinkedHashSet<>();
			for (String name : spec.trim().split(" +")) {
				if (name.endsWith("*")) {
					multi.add(name.substring(0, name.length() - 1));
				}
				else if (!name.isEmpty()) {
					single.add(name);
				}
			}
			return new Params(Set.copyOf(single), Set.copyOf(multi));
		}

		boolean repeatable(String name) {
			return multi.contains(name);
		}

	}

	/** One endpoint's decision: refused (with the reason) or allowed with its body kind and checks. */
	record Endpoint(String key, @Nullable String refusal, Body body, @Nullable Schema schema, Params params,
			List<QueryRule> query) {

		boolean refused() {
			return refusal != null;
		}

	}

	private static final Map<String, Endpoint> TABLE = new LinkedHashMap<>();

	/** A commit's or an import's Dockerfile lines: the image's working directory stays out of /proc. */
	private static final QueryRule CHANGES = new QueryRule("changes", "proc-workdir", ProcessRules::acceptsChange,
			"images cannot make their processes start in /proc");

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
			"the engine does not fetch images from URLs (no daemon-side fetches): import from the client (docker import file.tar)"),
			CHANGES);

	private static final String BUILD_PARAMS = "dockerfile t* extrahosts* securityopt* remote q nocache cachefrom pull "
			+ "rm forcerm memory memswap cpushares cpusetcpus cpusetmems cpuperiod cpuquota buildargs shmsize squash "
			+ "labels networkmode platform target outputs session buildid version isolation cgroupparent ulimits";

	static {
		// system: endpoint, query parameters the engine reads (* = read as a list)
		allow("HEAD /_ping", "");
		allow("GET /_ping", "");
		allow("GET /version", "");
		allow("GET /info", "");
		allow("GET /events", "since until filters");
		allow("GET /system/df", "type*");
		json("POST /auth", Schemas.AUTH_CONFIG, "");
		// containers
		allow("GET /containers/json", "all limit size filters before since");
		allow("POST /containers/prune", "filters");
		json("POST /containers/create", Schemas.CONTAINER_CREATE, "name platform");
		allow("GET /containers/{id}/json", "size");
		allow("GET /containers/{id}/top", "ps_args");
		allow("GET /containers/{id}/logs", "follow stdout stderr since until timestamps tail details");
		allow("GET /containers/{id}/changes", "");
		allow("GET /containers/{id}/export", "");
		allow("GET /containers/{id}/stats", "stream one-shot");
		allow("GET /containers/{id}/archive", "path");
		allow("HEAD /containers/{id}/archive", "path");
		stream("PUT /containers/{id}/archive", "path noOverwriteDirNonDir copyUIDGID");
		allow("POST /containers/{id}/start", "detachKeys checkpoint checkpoint-dir");
		allow("POST /containers/{id}/stop", "t signal");
		allow("POST /containers/{id}/restart", "t signal");
		allow("POST /containers/{id}/kill", "signal");
		allow("POST /containers/{id}/pause", "");
		allow("POST /containers/{id}/unpause", "");
		allow("POST /containers/{id}/wait", "condition");
		allow("POST /containers/{id}/resize", "h w");
		allow("POST /containers/{id}/rename", "name");
		allow("POST /containers/{id}/attach", "detachKeys logs stream stdin stdout stderr");
		allow("DELETE /containers/{id}", "v force link");
		json("POST /containers/{id}/update", Schemas.CONTAINER_UPDATE, "");
		json("POST /containers/{id}/exec", Schemas.EXEC_CREATE, "");
		refuse("GET /containers/{id}/attach/ws", "websocket attach is not available through Berth; use docker attach");
		// exec
		json("POST /exec/{id}/start", Schemas.EXEC_START, "");
		allow("POST /exec/{id}/resize", "h w");
		allow("GET /exec/{id}/json", "");
		// images
		allow("GET /images/json", "all filters filter digests shared-size manifests");
		allow("GET /images/{name}/json", "manifests platform");
		allow("GET /images/{name}/history", "platform");
		allow("POST /images/{name}/push", "tag platform");
		allow("POST /images/{name}/tag", "repo tag");
		allow("DELETE /images/{name}", "force noprune platforms*");
		allow("GET /images/search", "term limit filters");
		allow("POST /images/prune", "filters");
		allow("GET /images/get", "names* platform*");
		allow("GET /images/{name}/get", "platform*");
		allow("GET /distribution/{name}/json", "");
		allow("POST /build/prune", "filters keep-storage all reserved-space max-used-space min-free-space");
		allow("POST /build/cancel", "id");
		stream("POST /build", BUILD_PARAMS, BUILD_QUERY);
		stream("POST /images/create", "fromImage fromSrc repo tag message platform changes*", IMAGE_CREATE_QUERY);
		stream("POST /images/load", "quiet platform*");
		json("POST /commit", Schemas.CONFIG, "container repo tag comment author pause changes*", List.of(CHANGES));
		// networks
		allow("GET /networks", "filters");
		allow("GET /networks/{id}", "verbose scope");
		allow("DELETE /networks/{id}", "");
		allow("POST /networks/prune", "filters");
		json("POST /networks/create", Schemas.NETWORK_CREATE, "");
		json("POST /networks/{id}/connect", Schemas.NETWORK_CONNECT, "");
		json("POST /networks/{id}/disconnect", Schemas.NETWORK_DISCONNECT, "");
		// volumes
		allow("GET /volumes", "filters");
		allow("GET /volumes/{id}", "");
		allow("DELETE /volumes/{id}", "force");
		allow("POST /volumes/prune", "filters");
		json("POST /volumes/create", Schemas.VOLUME_CREATE, "");
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
				return new Endpoint(key, family.getValue(), Body.NONE, null, Params.NONE, List.of());
			}
		}
		return new Endpoint(key, method + " " + template + " is not an endpoint Berth allows", Body.NONE, null,
				Params.NONE, List.of());
	}

	/** The table, for documentation and tests. */
	static Map<String, Endpoint> all() {
		return Map.copyOf(TABLE);
	}

	private static void allow(String key, String params) {
		put(new Endpoint(key, null, Body.NONE, null, Params.of(params), List.of()));
	}

	private static void stream(String key, String params) {
		stream(key, params, List.of());
	}

	private static void stream(String key, String params, List<QueryRule> rules) {
		put(new Endpoint(key, null, Body.STREAM, null, Params.of(params), rules));
	}

	private static void json(String key, Schema schema, String params) {
		json(key, schema, params, List.of());
	}

	private static void json(String key, Schema schema, String params, List<QueryRule> rules) {
		put(new Endpoint(key, null, Body.JSON, schema, Params.of(params), rules));
	}

	private static void refuse(String key, String reason) {
		put(new Endpoint(key, reason, Body.NONE, null, Params.NONE, List.of()));
	}

	private static void put(Endpoint endpoint) {
		TABLE.put(endpoint.key(), endpoint);
	}

}
