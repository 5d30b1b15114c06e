package berth.policy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * How the engine's Go server reads a request, written for the tests apart from Berth's own reader
 * (GoForm) so that one can check the other: {@code url.ParseQuery}, {@code Header.Get},
 * {@code mime.ParseMediaType}, {@code path.Clean} and the image reference's domain split.
 */
final class GoReading {

	private GoReading() {
	}

	/**
	 * {@code url.ParseQuery}: pairs split on {@code &}, a {@code ;} is an error, each key and value
	 * unescaped ({@code +} is a space). Empty when Go reports an error: the engine's {@code ParseForm}
	 * fails and it answers 400 without doing anything.
	 */
	static Optional<Map<String, List<String>>> parseQuery(@Nullable String raw) {
		Map<String, List<String>> out = new LinkedHashMap<>();
		boolean failed = false;
		String rest = raw == null ? "" : raw;
		while (!rest.isEmpty()) {
			int amp = rest.indexOf('&');
			String key = amp < 0 ? rest : rest.substring(0, amp);
			rest = amp < 0 ? "" : rest.substring(amp + 1);
			if (key.indexOf(';') >= 0) {
				failed = true;
				continue;
			}
			if (key.isEmpty()) {
				continue;
			}
			int eq = key.indexOf('=');
			String value = eq < 0 ? "" : key.substring(eq + 1);
			key = eq < 0 ? key : key.substring(0, eq);
			String k = unescape(key);
			String v = unescape(value);
			if (k == null || v == null) {
				failed = true;
				continue;
			}
			out.computeIfAbsent(k, x -> new java.util.ArrayList<>()).add(v);
		}
		return failed ? Optional.empty() : Optional.of(out);
	}

	/** Go's {@code unescape(s, encodeQueryComponent)}; null where Go reports an error. */
	private static @Nullable String unescape(String s) {
		byte[] in = s.getBytes(StandardCharsets.UTF_8);
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		for (int i = 0; i < in.length; i++) {
			byte b = in[i];
			if (b == '%') {
				if (i + 2 >= in.length || hex(in[i + 1]) < 0 || hex(in[i + 2]) < 0) {
					return null;
				}
				out.write(hex(in[i + 1]) * 16 + hex(in[i + 2]));
				i += 2;
			}
			else if (b == '+') {
				out.write(' ');
			}
			else {
				out.write(b);
			}
		}
		return out.toString(StandardCharsets.UTF_8);
	}

	private static int hex(byte b) {
		if (b >= '0' && b <= '9') {
			return b - '0';
		}
		if (b >= 'a' && b <= 'f') {
			return b - 'a' + 10;
		}
		if (b >= 'A' && b <= 'F') {
			return b - 'A' + 10;
		}
		return -1;
	}

	/**
	 * The media type Go's {@code ParseForm} switches on: the first {@code Content-Type} value
	 * ({@code Header.Get}), {@code application/octet-stream} when there is none, cut at {@code ;},
	 * trimmed and lower-cased.
	 */
	static String formMediaType(List<String> contentTypes) {
		String value = contentTypes.isEmpty() ? "application/octet-stream" : contentTypes.get(0);
		int semicolon = value.indexOf(';');
		return (semicolon < 0 ? value : value.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
	}

	/** Go's {@code path.Clean} for a rooted path. */
	static String cleanPath(String path) {
		Deque<String> parts = new ArrayDeque<>();
		for (String part : path.split("/")) {
			if (part.isEmpty() || part.equals(".")) {
				continue;
			}
			if (part.equals("..")) {
				parts.pollLast();
			}
			else {
				parts.addLast(part);
			}
		}
		return "/" + String.join("/", parts);
	}

	/** {@code reference.splitDockerDomain}: the registry of a reference, null for Docker Hub. */
	static @Nullable String domain(String reference) {
		int slash = reference.indexOf('/');
		if (slash < 0) {
			return null;
		}
		String first = reference.substring(0, slash);
		if (first.contains(".") || first.contains(":") || first.equals("localhost")
				|| !first.toLowerCase(Locale.ROOT).equals(first)) {
			String lower = first.toLowerCase(Locale.ROOT);
			return lower.equals("docker.io") || lower.equals("index.docker.io") || lower.equals("registry-1.docker.io")
					? null : first;
		}
		return null;
	}

}
