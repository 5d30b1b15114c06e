package berth.isolation;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
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
 * widened (a tenant's own {@code berth.tenant=...} filter can only make the answer empty).
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
		Map<String, Set<String>> filters = parse(given);
		filters.computeIfAbsent("label", key -> new LinkedHashSet<>()).add(Ownership.OWNER_LABEL + "=" + tenant);
		ObjectNode out = JSON.createObjectNode();
		filters.forEach((key, values) -> {
			ObjectNode set = out.putObject(key);
			values.forEach(value -> set.put(value, true));
		});
		return JSON.writeValueAsString(out);
	}

	private static Map<String, Set<String>> parse(@Nullable String given) {
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
