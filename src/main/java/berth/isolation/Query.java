package berth.isolation;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

import berth.web.DockerApiException;

/**
 * A raw query string read the way the engine (Go's url.ParseQuery) reads it: keys and values
 * decoded, the first value of a repeated key wins. Rewriting replaces every occurrence of a key by one
 * value, so what Berth checked is what the engine reads.
 */
final class Query {

	private record Pair(String rawKey, String key, String rawValue) {
	}

	private final List<Pair> pairs = new ArrayList<>();

	private Query(@Nullable String raw) {
		if (raw == null || raw.isEmpty()) {
			return;
		}
		if (raw.indexOf(';') >= 0) {
			// older Go versions split on ';' too; a query read two ways is refused, not guessed
			throw new DockerApiException(HttpStatus.BAD_REQUEST, "the query string may not contain ';'");
		}
		for (String part : raw.split("&")) {
			if (part.isEmpty()) {
				continue;
			}
			int eq = part.indexOf('=');
			String rawKey = eq < 0 ? part : part.substring(0, eq);
			String rawValue = eq < 0 ? "" : part.substring(eq + 1);
			decode(rawValue);
			pairs.add(new Pair(rawKey, decode(rawKey), rawValue));
		}
	}

	static Query parse(@Nullable String raw) {
		return new Query(raw);
	}

	/** The value the engine reads for a key, or null. */
	@Nullable String first(String key) {
		for (Pair pair : pairs) {
			if (pair.key().equals(key)) {
				return decode(pair.rawValue());
			}
		}
		return null;
	}

	/** This query with every occurrence of the key replaced by one value, at the end. */
	String with(String key, String value) {
		StringBuilder out = new StringBuilder();
		for (Pair pair : pairs) {
			if (!pair.key().equals(key)) {
				out.append(pair.rawKey()).append('=').append(pair.rawValue()).append('&');
			}
		}
		return out.append(URLEncoder.encode(key, StandardCharsets.UTF_8))
			.append('=')
			.append(URLEncoder.encode(value, StandardCharsets.UTF_8))
			.toString();
	}

	/** Every value the engine reads for a repeated key ({@code t} of a build, {@code names} of a save). */
	List<String> all(String key) {
		List<String> values = new ArrayList<>();
		for (Pair pair : pairs) {
			if (pair.key().equals(key)) {
				values.add(decode(pair.rawValue()));
			}
		}
		return values;
	}

	/** This query with every occurrence of the key replaced by the given values, at the end. */
	String withAll(String key, List<String> values) {
		StringBuilder out = new StringBuilder();
		for (Pair pair : pairs) {
			if (!pair.key().equals(key)) {
				out.append(pair.rawKey()).append('=').append(pair.rawValue()).append('&');
			}
		}
		for (String value : values) {
			out.append(URLEncoder.encode(key, StandardCharsets.UTF_8))
				.append('=')
				.append(URLEncoder.encode(value, StandardCharsets.UTF_8))
				.append('&');
		}
		return out.isEmpty() ? "" : out.substring(0, out.length() - 1);
	}

	/** The query as it was given (decoded and re-joined). */
	String raw() {
		return withAll("", List.of());
	}

	/** This query without any occurrence of the key. */
	String without(String key) {
		return withAll(key, List.of());
	}

	private static String decode(String raw) {
		try {
			return URLDecoder.decode(raw, StandardCharsets.UTF_8);
		}
		catch (IllegalArgumentException e) {
			throw new DockerApiException(HttpStatus.BAD_REQUEST, "the query string has an invalid escape");
		}
	}

}
