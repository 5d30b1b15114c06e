package berth.policy;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Reads a query string and a {@code Content-Type} the way the engine's Go server reads them
 * ({@code url.ParseQuery}, {@code mime.ParseMediaType}), so that the policy decides on the values the
 * engine will use. Where Go would read a request in a way Berth cannot be sure of, the request is
 * refused instead of guessed.
 */
final class GoForm {

	static final String URLENCODED = "application/x-www-form-urlencoded";

	private GoForm() {
	}

	/**
	 * Every key with its values in the order given; the engine reads the first. A {@code ;} is refused
	 * (Go up to 1.16 split on it, later versions reject the query), and so is an escape Go cannot
	 * decode (it drops that pair and the engine answers 400).
	 */
	static Map<String, List<String>> parseQuery(@Nullable String rawQuery) {
		Map<String, List<String>> out = new LinkedHashMap<>();
		if (rawQuery == null || rawQuery.isEmpty()) {
			return out;
		}
		if (rawQuery.indexOf(';') >= 0) {
			throw PolicyRefusal.malformed("query", "the query string may not contain ';'");
		}
		for (String pair : rawQuery.split("&", -1)) {
			if (pair.isEmpty()) {
				continue;
			}
			int eq = pair.indexOf('=');
			String key = unescape(eq < 0 ? pair : pair.substring(0, eq));
			String value = eq < 0 ? "" : unescape(pair.substring(eq + 1));
			out.computeIfAbsent(key, k -> new ArrayList<>(1)).add(value);
		}
		return out;
	}

	/** Go's {@code QueryUnescape}: {@code +} is a space, {@code %XX} a byte, anything else malformed. */
	private static String unescape(String raw) {
		if (raw.indexOf('%') < 0 && raw.indexOf('+') < 0) {
			return raw;
		}
		for (int i = raw.indexOf('%'); i >= 0; i = raw.indexOf('%', i + 1)) {
			if (i + 2 >= raw.length() || !hex(raw.charAt(i + 1)) || !hex(raw.charAt(i + 2))) {
				throw PolicyRefusal.malformed("query", "the query string has an invalid escape");
			}
		}
		return URLDecoder.decode(raw, StandardCharsets.UTF_8);
	}

	private static boolean hex(char c) {
		return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
	}

	/**
	 * The media type of a {@code Content-Type} value as Go compares it: before any parameters,
	 * trimmed, lower case. Go reads a form even when the parameters after it are malformed.
	 */
	static String mediaType(String contentType) {
		int semicolon = contentType.indexOf(';');
		String base = semicolon < 0 ? contentType : contentType.substring(0, semicolon);
		return base.strip().toLowerCase(Locale.ROOT);
	}

}
