package berth.policy;

import java.util.Map;

import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads a JSON body the way the engine will, or refuses it. The engine (Go's encoding/json) matches
 * keys to struct fields case-insensitively and lets the last duplicate win; Berth instead refuses
 * duplicates and case-variant duplicates, refuses unknown and non-ASCII field names in structs, and
 * returns a tree whose struct keys are in canonical casing. That tree is what the policy checks and
 * what is forwarded, so the engine reads exactly what was checked.
 */
final class JsonBodies {

	static final int MAX_DEPTH = 32;

	private static final JsonMapper JSON = JsonMapper
		.builder(JsonFactory.builder()
			.streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
			.build())
		.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
		.build();

	private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

	private JsonBodies() {
	}

	/** Parses and canonicalises; an empty body or {@code null} reads as {@code {}}. */
	static ObjectNode read(byte[] body, Schema schema) {
		return read(body, schema, field -> {
		});
	}

	/**
	 * Parses and canonicalises; an empty body or {@code null} reads as {@code {}}. Empty fields the
	 * engine no longer reads are left out, and each is told to {@code dropped}.
	 */
	static ObjectNode read(byte[] body, Schema schema, java.util.function.Consumer<String> dropped) {
		JsonNode tree;
		try {
			tree = isBlank(body) ? NODES.objectNode() : JSON.readTree(body);
		}
		catch (JacksonException e) {
			throw PolicyRefusal.malformed("json", "the request body is not JSON the policy can read unambiguously: "
					+ e.getOriginalMessage());
		}
		if (tree == null || tree.isNull() || tree.isMissingNode()) {
			tree = NODES.objectNode();
		}
		return struct(tree, schema, schema.name(), dropped);
	}

	static byte[] write(ObjectNode tree) {
		return JSON.writeValueAsBytes(tree);
	}

	private static ObjectNode struct(JsonNode node, Schema schema, String path, java.util.function.Consumer<String> dropped) {
		if (!node.isObject()) {
			throw PolicyRefusal.malformed("json", path + " must be a JSON object");
		}
		ObjectNode out = NODES.objectNode();
		for (Map.Entry<String, JsonNode> property : node.properties()) {
			String key = property.getKey();
			if (!key.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
				throw PolicyRefusal.malformed("json", "field names must be plain ASCII: " + path + "." + key);
			}
			String field = schema.canonical(key);
			if (field == null && schema.nullExtras() && property.getValue().isNull() && !out.has(key)) {
				out.set(key, property.getValue());
				continue;
			}
			if (field == null) {
				throw PolicyRefusal.forbidden("unknown-field",
						"the field " + path + "." + key + " is not known to Berth's policy, so it is not allowed");
			}
			if (out.has(field)) {
				throw PolicyRefusal.malformed("json", "the field " + path + "." + field
						+ " is given more than once (field names match case-insensitively)");
			}
			if (schema.kind(field) instanceof Schema.Unread) {
				if (!Values.zero(property.getValue())) {
					throw PolicyRefusal.forbidden("unknown-field", "the field " + path + "." + field
							+ " is not read by the engine (it is from an older API version); it is accepted only empty");
				}
				dropped.accept(path + "." + field);
				continue;
			}
			out.set(field, value(property.getValue(), schema.kind(field), path + "." + field, dropped));
		}
		return out;
	}

	private static JsonNode value(JsonNode value, Schema.Kind kind, String path, java.util.function.Consumer<String> dropped) {
		return switch (kind) {
			case Schema.Value v -> value;
			case Schema.Unread u -> value;
			case Schema.Nested nested -> value.isNull() ? value : struct(value, nested.schema(), path, dropped);
			case Schema.ListOf list -> {
				if (!value.isArray()) {
					yield value;
				}
				ArrayNode out = NODES.arrayNode();
				for (JsonNode element : value) {
					out.add(value(element, list.elements(), path + "[]", dropped));
				}
				yield out;
			}
			case Schema.MapOf map -> {
				if (!value.isObject()) {
					yield value;
				}
				ObjectNode out = NODES.objectNode();
				for (Map.Entry<String, JsonNode> entry : value.properties()) {
					out.set(entry.getKey(), value(entry.getValue(), map.values(), path + "[" + entry.getKey() + "]", dropped));
				}
				yield out;
			}
		};
	}

	private static boolean isBlank(byte[] body) {
		for (byte b : body) {
			if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
				return false;
			}
		}
		return true;
	}

}
