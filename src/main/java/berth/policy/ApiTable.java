package berth.policy;

import static berth.policy.Endpoint.Isolation.COMMITTED;
import static berth.policy.Endpoint.Isolation.CREATED;
import static berth.policy.Endpoint.Isolation.IMAGES;
import static berth.policy.Endpoint.Isolation.NONE;
import static berth.policy.Endpoint.Isolation.OWNED;
import static berth.policy.Endpoint.Isolation.RENAMED;
import static berth.policy.Endpoint.Isolation.SCOPED;
import static berth.policy.Endpoint.Isolation.SUMMARY;
import static berth.policy.Endpoint.Named.CONTAINER;
import static berth.policy.Endpoint.Named.EXEC;
import static berth.policy.Endpoint.Named.IMAGE;
import static berth.policy.Endpoint.Named.NETWORK;
import static berth.policy.Endpoint.Named.VOLUME;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import berth.policy.Endpoint.Access;
import berth.policy.Endpoint.Isolation;
import berth.policy.Endpoint.Named;
import berth.policy.Endpoint.Params;
import berth.policy.Endpoint.QueryRule;
import berth.policy.Endpoint.View;

/**
 * The endpoint registry: every Docker Engine API endpoint Berth knows, one {@link Endpoint} row each,
 * read top to bottom. Default deny: an endpoint that is not in this table is refused. Keys are
 * {@code METHOD template} with the version prefix removed.
 *
 * <p>A row says, in this order: whether the endpoint is allowed ({@code allow}, {@code json} and
 * {@code stream} name the body it takes; {@code refuse} gives the reason), the query parameters the
 * engine reads for it, and then what a shared engine needs: the object its path names and how
 * ownership is checked ({@code owns}, {@code isolates}), how its answer is shown to the tenant
 * ({@code shows}), and whether it upgrades the connection ({@code upgrades}). Nothing else in Berth
 * lists endpoints; {@code src/test/resources/policy/registry.csv} holds the table as a person reviews it.
 *
 * <p>A parameter the engine reads once ({@code r.FormValue}) takes its first value, so a repeated one
 * would let Berth and the engine each see a different value: it is refused, whether or not the policy
 * reads it. Only the parameters marked {@code *} (read as a list, {@code r.Form["t"]}) may repeat, and
 * whatever reads them reads every value.
 */
public final class ApiTable {

	private static final Map<String, Endpoint> TABLE = new LinkedHashMap<>();

	private static final List<Row> ROWS = new ArrayList<>();

	private static final Set<String> UPGRADES = new HashSet<>();

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
		// system: endpoint, query parameters the engine reads (* = read as a list); then isolation and answer
		allow("HEAD /_ping", "");
		allow("GET /_ping", "");
		allow("GET /version", "");
		allow("GET /info", "").isolates(SUMMARY);
		allow("GET /events", "since until filters").isolates(SCOPED).shows(View.EVENTS);
		allow("GET /system/df", "type*").isolates(SUMMARY).shows(View.DISK_USAGE);
		json("POST /auth", Schemas.AUTH_CONFIG, "");
		buildkit("POST /session").upgrades();
		buildkit("POST /grpc").upgrades();
		// containers
		allow("GET /containers/json", "all limit size filters before since").isolates(SCOPED).shows(View.CONTAINER_LIST);
		allow("POST /containers/prune", "filters").isolates(SCOPED);
		json("POST /containers/create", Schemas.CONTAINER_CREATE, "name platform").isolates(CREATED);
		allow("GET /containers/{id}/json", "size").owns(CONTAINER).shows(View.CONTAINER);
		allow("GET /containers/{id}/top", "ps_args").owns(CONTAINER);
		allow("GET /containers/{id}/logs", "follow stdout stderr since until timestamps tail details").owns(CONTAINER);
		allow("GET /containers/{id}/changes", "").owns(CONTAINER);
		allow("GET /containers/{id}/export", "").owns(CONTAINER);
		allow("GET /containers/{id}/stats", "stream one-shot").owns(CONTAINER).shows(View.STATS);
		allow("GET /containers/{id}/archive", "path").owns(CONTAINER);
		allow("HEAD /containers/{id}/archive", "path").owns(CONTAINER);
		stream("PUT /containers/{id}/archive", "path noOverwriteDirNonDir copyUIDGID").owns(CONTAINER);
		allow("POST /containers/{id}/start", "detachKeys checkpoint checkpoint-dir").owns(CONTAINER);
		allow("POST /containers/{id}/stop", "t signal").owns(CONTAINER);
		allow("POST /containers/{id}/restart", "t signal").owns(CONTAINER);
		allow("POST /containers/{id}/kill", "signal").owns(CONTAINER);
		allow("POST /containers/{id}/pause", "").owns(CONTAINER);
		allow("POST /containers/{id}/unpause", "").owns(CONTAINER);
		allow("POST /containers/{id}/wait", "condition").owns(CONTAINER);
		allow("POST /containers/{id}/resize", "h w").owns(CONTAINER);
		allow("POST /containers/{id}/rename", "name").isolates(CONTAINER, RENAMED);
		allow("POST /containers/{id}/attach", "detachKeys logs stream stdin stdout stderr").owns(CONTAINER).upgrades();
		allow("DELETE /containers/{id}", "v force link").owns(CONTAINER);
		json("POST /containers/{id}/update", Schemas.CONTAINER_UPDATE, "").owns(CONTAINER);
		json("POST /containers/{id}/exec", Schemas.EXEC_CREATE, "").owns(CONTAINER);
		refuse("GET /containers/{id}/attach/ws", "websocket attach is not available through Berth; use docker attach");
		// exec
		json("POST /exec/{id}/start", Schemas.EXEC_START, "").owns(EXEC).upgrades();
		allow("POST /exec/{id}/resize", "h w").owns(EXEC);
		allow("GET /exec/{id}/json", "").owns(EXEC);
		// images: the image module plans these in the tenant's namespace
		allow("GET /images/json", "all filters filter digests shared-size manifests").isolates(IMAGES);
		allow("GET /images/{name}/json", "manifests platform").isolates(IMAGE, IMAGES);
		allow("GET /images/{name}/history", "platform").isolates(IMAGE, IMAGES);
		allow("POST /images/{name}/push", "tag platform").isolates(IMAGE, IMAGES);
		allow("POST /images/{name}/tag", "repo tag").isolates(IMAGE, IMAGES);
		allow("DELETE /images/{name}", "force noprune platforms*").isolates(IMAGE, IMAGES);
		allow("GET /images/search", "term limit filters");
		allow("POST /images/prune", "filters").isolates(IMAGES);
		allow("GET /images/get", "names* platform*").isolates(IMAGES);
		allow("GET /images/{name}/get", "platform*").isolates(IMAGE, IMAGES);
		allow("GET /distribution/{name}/json", "").isolates(IMAGE, NONE);
		allow("POST /build/prune", "filters keep-storage all reserved-space max-used-space min-free-space");
		allow("POST /build/cancel", "id");
		stream("POST /build", BUILD_PARAMS, BUILD_QUERY).isolates(IMAGES);
		stream("POST /images/create", "fromImage fromSrc repo tag message platform changes*", IMAGE_CREATE_QUERY)
			.isolates(IMAGES);
		stream("POST /images/load", "quiet platform*").isolates(IMAGES);
		json("POST /commit", Schemas.CONFIG, "container repo tag comment author pause changes*", List.of(CHANGES))
			.isolates(COMMITTED);
		// networks
		allow("GET /networks", "filters").isolates(SCOPED).shows(View.NETWORK_LIST);
		allow("GET /networks/{id}", "verbose scope").owns(NETWORK).shows(View.NETWORK);
		allow("DELETE /networks/{id}", "").owns(NETWORK);
		allow("POST /networks/prune", "filters").isolates(SCOPED).shows(View.NETWORK_PRUNE);
		json("POST /networks/create", Schemas.NETWORK_CREATE, "");
		json("POST /networks/{id}/connect", Schemas.NETWORK_CONNECT, "").owns(NETWORK);
		json("POST /networks/{id}/disconnect", Schemas.NETWORK_DISCONNECT, "").owns(NETWORK);
		// volumes
		allow("GET /volumes", "filters").isolates(SCOPED).shows(View.VOLUME_LIST);
		allow("GET /volumes/{id}", "").owns(VOLUME).shows(View.VOLUME);
		allow("DELETE /volumes/{id}", "force").owns(VOLUME);
		allow("POST /volumes/prune", "filters").isolates(SCOPED).shows(View.VOLUME_PRUNE);
		json("POST /volumes/create", Schemas.VOLUME_CREATE, "").shows(View.VOLUME);
		refuse("PUT /volumes/{id}", "cluster volumes need swarm, which is not available to tenants");
		seal();
	}

	/** Whole families that need a trusted operator. */
	private static final Map<String, String> REFUSED_FAMILIES = Map.of("/swarm",
			"swarm is not available to tenants", "/nodes", "swarm is not available to tenants", "/services",
			"swarm services are not available to tenants", "/tasks", "swarm is not available to tenants", "/secrets",
			"swarm secrets are not available to tenants", "/configs", "swarm configs are not available to tenants",
			"/plugins", "plugins run privileged code and are installed by operators only");

	private ApiTable() {
	}

	/** The row of an endpoint; a refused one for every endpoint not in the table. */
	public static Endpoint lookup(String method, String template) {
		String key = method + " " + template;
		Endpoint known = TABLE.get(key);
		if (known != null) {
			return known;
		}
		for (Map.Entry<String, String> family : REFUSED_FAMILIES.entrySet()) {
			if (template.equals(family.getKey()) || template.startsWith(family.getKey() + "/")) {
				return new Row(key, Access.REFUSED, family.getValue(), Body.NONE).endpoint();
			}
		}
		return new Row(key, Access.REFUSED, method + " " + template + " is not an endpoint Berth allows", Body.NONE)
			.endpoint();
	}

	/** The table in its order, for documentation and tests. */
	public static List<Endpoint> rows() {
		return List.copyOf(TABLE.values());
	}

	/** The table by key. */
	static Map<String, Endpoint> all() {
		return Collections.unmodifiableMap(TABLE);
	}

	/** Whether an endpoint with this template upgrades the connection when asked to, whatever the method. */
	static boolean upgrades(String template) {
		return UPGRADES.contains(template);
	}

	private static Row allow(String key, String params) {
		return row(new Row(key, Access.ALLOWED, null, Body.NONE).params(params));
	}

	private static Row stream(String key, String params) {
		return stream(key, params, List.of());
	}

	private static Row stream(String key, String params, List<QueryRule> rules) {
		return row(new Row(key, Access.ALLOWED, null, Body.STREAM).params(params).query(rules));
	}

	private static Row json(String key, Schema schema, String params) {
		return json(key, schema, params, List.of());
	}

	private static Row json(String key, Schema schema, String params, List<QueryRule> rules) {
		return row(new Row(key, Access.ALLOWED, null, Body.JSON).schema(schema).params(params).query(rules));
	}

	private static Row refuse(String key, String reason) {
		return row(new Row(key, Access.REFUSED, reason, Body.NONE));
	}

	private static Row buildkit(String key) {
		return row(new Row(key, Access.BUILDKIT, null, Body.NONE));
	}

	private static Row row(Row row) {
		ROWS.add(row);
		return row;
	}

	private static void seal() {
		for (Row row : ROWS) {
			Endpoint endpoint = row.endpoint();
			if (TABLE.put(endpoint.key(), endpoint) != null) {
				throw new IllegalStateException("two rows for " + endpoint.key());
			}
			if (endpoint.upgrades()) {
				UPGRADES.add(endpoint.template());
			}
		}
		ROWS.clear();
	}

	/** A row while the table is written: the columns after the body, filled in as the line reads. */
	private static final class Row {

		private final String key;

		private final Access access;

		private final @Nullable String refusal;

		private final Body body;

		private @Nullable Schema schema;

		private Params params = Params.NONE;

		private List<QueryRule> query = List.of();

		private Named named = Named.NOTHING;

		private Isolation isolation = NONE;

		private View view = View.AS_SENT;

		private boolean upgrades;

		Row(String key, Access access, @Nullable String refusal, Body body) {
			this.key = key;
			this.access = access;
			this.refusal = refusal;
			this.body = body;
		}

		Row params(String spec) {
			this.params = Params.of(spec);
			return this;
		}

		Row query(List<QueryRule> rules) {
			this.query = List.copyOf(rules);
			return this;
		}

		Row schema(Schema schema) {
			this.schema = schema;
			return this;
		}

		/** The path names an object that must be the tenant's. */
		Row owns(Named object) {
			return isolates(object, OWNED);
		}

		Row isolates(Isolation how) {
			this.isolation = how;
			return this;
		}

		Row isolates(Named object, Isolation how) {
			this.named = object;
			this.isolation = how;
			return this;
		}

		Row shows(View shown) {
			this.view = shown;
			return this;
		}

		Row upgrades() {
			this.upgrades = true;
			return this;
		}

		Endpoint endpoint() {
			return new Endpoint(key, access, refusal, body, schema, params, query, named, isolation, view, upgrades);
		}

	}

}
