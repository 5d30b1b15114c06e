package berth.gateway;

import java.util.regex.Pattern;

import io.netty.handler.codec.http.HttpRequest;

import berth.policy.Endpoints;

/**
 * docker-java (Testcontainers) writes the {@code /} of an image name percent-encoded in the path
 * ({@code /images/testcontainers%2Fryuk:0.14.0/json}); the engine decodes it and reads the name. The
 * policy refuses percent-encoding in paths, so that nothing reads a path differently from the engine:
 * in the image endpoints, {@code %2F}, {@code %3A} and {@code %40} are decoded here, before anything
 * reads the request, and everything downstream (policy, isolation, the engine) reads the same name.
 * Any other escape is left for the policy to refuse.
 */
public final class ImagePaths {

	private static final Pattern NAME_ESCAPES = Pattern.compile("%(2[fF]|3[aA]|40)");

	private ImagePaths() {
	}

	public static void decode(HttpRequest head) {
		String uri = head.uri();
		if (uri.indexOf('%') < 0) {
			return;
		}
		int query = uri.indexOf('?');
		String path = query < 0 ? uri : uri.substring(0, query);
		String decoded = decoded(path);
		if (!decoded.equals(path)) {
			head.setUri(decoded + (query < 0 ? "" : uri.substring(query)));
		}
	}

	/** The path with an image name's escapes decoded, or as it is when it is no image path or has others. */
	public static String decoded(String path) {
		String unversioned = Endpoints.unversioned(path);
		if (!unversioned.startsWith("/images/") && !unversioned.startsWith("/distribution/")) {
			return path;
		}
		String decoded = NAME_ESCAPES.matcher(path).replaceAll(match -> switch (match.group(1).toLowerCase()) {
			case "2f" -> "/";
			case "3a" -> ":";
			default -> "@";
		});
		return decoded.indexOf('%') >= 0 ? path : decoded;
	}

}
