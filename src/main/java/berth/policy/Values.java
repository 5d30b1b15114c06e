package berth.policy;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/** How the policy reads field values: absent and {@code null} mean "the engine's default". */
final class Values {

	private Values() {
	}

	static boolean absent(@Nullable JsonNode node) {
		return node == null || node.isNull() || node.isMissingNode();
	}

	/** Absent, false, zero, or an empty string, list or object: the Go zero value. */
	static boolean zero(@Nullable JsonNode node) {
		if (absent(node)) {
			return true;
		}
		if (node.isBoolean()) {
			return !node.booleanValue();
		}
		if (node.isNumber()) {
			return node.asDouble() == 0;
		}
		if (node.isString()) {
			return node.asString().isEmpty();
		}
		return node.isContainer() && node.isEmpty();
	}

	static String text(@Nullable JsonNode node) {
		return absent(node) || !node.isString() ? (absent(node) ? "" : node.toString()) : node.asString();
	}

	static long number(@Nullable JsonNode node) {
		return absent(node) || !node.isNumber() ? 0 : node.asLong();
	}

	/** The strings of a list (or of a lone string); other elements as their JSON text. */
	static List<String> strings(@Nullable JsonNode node) {
		List<String> out = new ArrayList<>();
		if (absent(node)) {
			return out;
		}
		if (node.isArray()) {
			node.forEach(element -> out.add(text(element)));
		}
		else {
			out.add(text(node));
		}
		return out;
	}

}
