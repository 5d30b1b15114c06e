package berth.isolation;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import berth.web.DockerApiException;

/**
 * The engine's {@code filters} query parameter, with the tenant's owner label always added. The
 * engine ANDs label filters, so whatever the tenant asks for is narrowed to its own objects, never
 * widened (a tenant's own {@code berth.tenant=...} filter can only make the answer empty). Filters
 * naming objects are put in the engine's names ({@link Names}): exact names get the engine-side
 * form added, and the {@code name} filters of lists, which are regular expressions over names, are
 * not sent at all: {@link TenantView} applies them to the names the tenant sees.
 */
final class Filters {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private Filters() {
	}

	/**
	 * @param given the decoded {@code filters} value the engine would read, or null when absent;
	 * either form the engine accepts: a map of lists or a map of {@code value: true} maps
	 * @return the same filters and the owner label, as a map of {@code value: true} maps
	 */
	static String scoped(@Nullable String given, String tenant) {
		return scoped(given, tenant, "");
	}

	/** {@link #scoped(String, String)}, with the names of the filters the endpoint reads put in the tenant's namespace. */
	static String scoped(@Nullable String given, String tenant, String endpoint) {
		Map<String, Set<String>> filters = parse(given);
		switch (endpoint) {
			case "GET /containers/json" -> {
				filters.remove("name");
				withEngineNames(filters, "volume", tenant);
				withEngineNames(filters, "network", tenant);
			}
			case "GET /volumes", "GET /networks" -> filters.remove("name");
			case "GET /events" -> {
				withEngineNames(filters, "container", tenant);
				withEngineNames(filters, "volume", tenant);
				withEngineNames(filters, "network", tenant);
			}
			// the tenant's default network is never unused for long: a private engine never prunes its bridge
			case "POST /networks/prune" -> filters.computeIfAbsent("label!", key -> new LinkedHashSet<>())
				.add(Ownership.DEFAULT_NETWORK_LABEL);
			default -> {
			}
		}
		filters.computeIfAbsent("label", key -> new LinkedHashSet<>()).add(Ownership.OWNER_LABEL + "=" + tenant);
		return write(filters);
	}

	/** The filters with one key's values replaced. */
	static String replaced(@Nullable String given, String key, List<String> values) {
		Map<String, Set<String>> filters = parse(given);
		filters.put(key, new LinkedHashSet<>(values));
		return write(filters);
	}

	/** Filters as the engine reads them: a map of {@code value: true} maps. */
	static String write(Map<String, Set<String>> filters) {
		ObjectNode out = JSON.createObjectNode();
		filters.forEach((key, values) -> {
			ObjectNode set = out.putObject(key);
			values.forEach(value -> set.put(value, true));
		});
		return JSON.writeValueAsString(out);
	}

	/** The values of one filter, or null when the tenant gave none. */
	static @Nullable List<String> values(@Nullable String given, String key) {
		Set<String> values = parse(given).get(key);
		return values == null ? null : List.copyOf(values);
	}

	/**
	 * Adds the engine-side form of each name a filter lists; the names as given stay, since they may
	 * be IDs or paths (a volume filter matches a mount's destination too), and the owner label keeps
	 * anything else out.
	 */
	private static void withEngineNames(Map<String, Set<String>> filters, String key, String tenant) {
		Set<String> values = filters.get(key);
		if (values == null) {
			return;
		}
		for (String value : List.copyOf(values)) {
			if (!value.startsWith("/") && !value.isEmpty()) {
				values.add(Names.engineSide(tenant, value));
			}
		}
	}

	/**
	 * The filters in either form the engine accepts, by key, in their order (empty when absent).
	 *
	 * @throws DockerApiException 400 for anything else
	 */
	static Map<String, Set<String>> parse(@Nullable String given) {
		Map<String, Set<String>> filters = new LinkedHashMap<>();
		if (given == null || given.isBlank()) {
			return filters;
		}
		JsonNode tree;
		try {
			tree = JSON.readTree(given);
		}
		catch (JacksonException e) {
			throw invalid();
		}
		if (tree == null || !tree.isObject()) {
			throw invalid();
		}
		for (Map.Entry<String, JsonNode> entry : tree.properties()) {
			Set<String> values = filters.computeIfAbsent(entry.getKey(), key -> new LinkedHashSet<>());
			JsonNode value = entry.getValue();
			if (value.isArray()) {
				for (JsonNode item : value) {
					if (!item.isString()) {
						throw invalid();
					}
					values.add(item.asString());
				}
			}
			else if (value.isObject()) {
				for (Map.Entry<String, JsonNode> item : value.properties()) {
					if (!item.getValue().isBoolean()) {
						throw invalid();
					}
					values.add(item.getKey());
				}
			}
			else {
				throw invalid();
			}
		}
		return filters;
	}

	private static DockerApiException invalid() {
		return new DockerApiException(HttpStatus.BAD_REQUEST,
				"the filters parameter must be a JSON object of lists (or of value: true maps)");
	}

}
