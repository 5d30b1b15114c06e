package berth.isolation;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

import berth.web.DockerApiException;

/**
 * Image references as tenants write them and as the shared engine stores them. A tenant's own tags
 * (build, tag, load, import, commit, and a record of its pulls) live on the engine under a reserved
 * repository, {@code berth.local/<tenant>/d/<path>} for Docker Hub names and
 * {@code berth.local/<tenant>/r/<registry>/<path>} for names with a registry, whose {@code host:port}
 * is written {@code host__port} so that it is a valid path component. An image the tenant made
 * without naming it (a build without {@code -t}, a commit or import without a repository) gets a tag
 * {@code berth.local/<tenant>/u/<random>:latest} that is never shown: it keeps the image the tenant's
 * to use by ID, as an untagged image is its maker's on an engine of one's own. Every other tag is the
 * shared cache of registry pulls. Pure functions, so that other features can translate names too.
 */
public final class ImageNames {

	/** The registry part no tenant may name: the engine-side home of tenants' tags. */
	public static final String RESERVED = "berth.local";

	private static final int MAX_REPOSITORY = 255;

	private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");

	private static final Pattern DOMAIN = Pattern
		.compile("[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?");

	private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");

	private static final Pattern DIGEST = Pattern.compile("[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}");

	/** An engine-side tenant tag: tenant, kind (Docker Hub name, name with a registry, unnamed), rest. */
	private static final Pattern NAMESPACED = Pattern.compile(Pattern.quote(RESERVED) + "/([a-z0-9-]+)/(d|r|u)/(.+)");

	private static final String UNNAMED = "u";

	/** How an image without a name is shown, as the engine shows an untagged one. */
	static final String NONE = "<none>";

	private static final SecureRandom RANDOM = new SecureRandom();

	/**
	 * A parsed reference in its familiar form: no {@code docker.io/} and no {@code library/}.
	 *
	 * @param domain the registry, or null for Docker Hub
	 */
	public record Ref(@Nullable String domain, String path, @Nullable String tag, @Nullable String digest) {

		/** {@code [domain/]path}, as the CLI shows it. */
		public String repository() {
			return domain == null ? path : domain + "/" + path;
		}

		/** The reference with {@code latest} as its tag when it has neither tag nor digest. */
		public Ref withDefaultTag() {
			return tag == null && digest == null ? new Ref(domain, path, "latest", null) : this;
		}

		@Override
		public String toString() {
			return repository() + (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
		}

	}

	private ImageNames() {
	}

	/** Parses a reference the way the engine does, or returns empty when it is not a valid one. */
	public static Optional<Ref> parse(String reference) {
		String rest = reference;
		String digest = null;
		int at = rest.indexOf('@');
		if (at >= 0) {
			digest = rest.substring(at + 1);
			rest = rest.substring(0, at);
			if (!DIGEST.matcher(digest).matches()) {
				return Optional.empty();
			}
		}
		String tag = null;
		int colon = rest.lastIndexOf(':');
		if (colon > rest.lastIndexOf('/')) {
			tag = rest.substring(colon + 1);
			rest = rest.substring(0, colon);
			if (!TAG.matcher(tag).matches()) {
				return Optional.empty();
			}
		}
		if (rest.isEmpty() || rest.length() > MAX_REPOSITORY) {
			return Optional.empty();
		}
		String domain = null;
		int slash = rest.indexOf('/');
		if (slash > 0) {
			String first = rest.substring(0, slash);
			if (first.contains(".") || first.contains(":") || first.equals("localhost")
					|| !first.equals(first.toLowerCase(java.util.Locale.ROOT))) {
				domain = first;
				rest = rest.substring(slash + 1);
				if (!DOMAIN.matcher(domain).matches()) {
					return Optional.empty();
				}
			}
		}
		for (String component : rest.split("/", -1)) {
			if (!COMPONENT.matcher(component).matches()) {
				return Optional.empty();
			}
		}
		if (domain != null && (domain.equals("docker.io") || domain.equals("index.docker.io"))) {
			domain = null;
		}
		if (domain == null && rest.startsWith("library/") && rest.indexOf('/', "library/".length()) < 0) {
			rest = rest.substring("library/".length());
		}
		return Optional.of(new Ref(domain, rest, tag, digest));
	}

	/** Whether a reference names the reserved registry (tenants may never name it themselves). */
	public static boolean reserved(String reference) {
		return reference.startsWith(RESERVED + "/") || reference.equals(RESERVED)
				|| reference.startsWith(RESERVED + ":");
	}

	/**
	 * The engine-side repository of a tenant's repository ({@code [domain/]path}).
	 *
	 * @throws DockerApiException 400 for a registry the encoding cannot carry (upper case letters) or a
	 * result over the engine's 255 characters
	 */
	public static String engineRepository(String tenant, Ref ref) {
		String encoded;
		if (ref.domain() == null) {
			encoded = RESERVED + "/" + tenant + "/d/" + ref.path();
		}
		else {
			String domain = ref.domain().replace(":", "__");
			if (ref.domain().equals(RESERVED) || !COMPONENT.matcher(domain).matches()) {
				throw new DockerApiException(HttpStatus.BAD_REQUEST,
						"invalid reference format: the registry " + ref.domain() + " cannot be used for your own tags");
			}
			encoded = RESERVED + "/" + tenant + "/r/" + domain + "/" + ref.path();
		}
		if (encoded.length() > MAX_REPOSITORY) {
			throw new DockerApiException(HttpStatus.BAD_REQUEST,
					"invalid reference format: repository name must not be more than "
							+ (MAX_REPOSITORY - (encoded.length() - ref.repository().length())) + " characters");
		}
		return encoded;
	}

	/** The engine-side tag ({@code repository:tag}) of a tenant's tagged reference. */
	public static String engineTag(String tenant, Ref ref) {
		Ref tagged = ref.withDefaultTag();
		if (tagged.tag() == null) {
			throw new DockerApiException(HttpStatus.BAD_REQUEST, "invalid reference format: a tag is needed here");
		}
		return engineRepository(tenant, tagged) + ":" + tagged.tag();
	}

	/**
	 * A new engine-side repository for an image the tenant makes without naming it (its tag is
	 * {@code latest}); the tag is never shown to the tenant, for whom the image has no name.
	 */
	public static String unnamedRepository(String tenant) {
		byte[] token = new byte[10];
		RANDOM.nextBytes(token);
		return unnamedPrefix(tenant) + HexFormat.of().formatHex(token);
	}

	/** What the engine-side tags of the tenant's unnamed images start with. */
	static String unnamedPrefix(String tenant) {
		return RESERVED + "/" + tenant + "/" + UNNAMED + "/";
	}

	/** Whether an engine-side reference is the tag of one of the tenant's unnamed images. */
	static boolean unnamedOf(String tenant, String engineReference) {
		return engineReference.startsWith(unnamedPrefix(tenant));
	}

	/** Whether an engine-side reference is one of the tenant's own tags, named or not. */
	static boolean ownedBy(String tenant, String engineReference) {
		return owner(engineReference).filter(tenant::equals).isPresent();
	}

	/** The tenant a reserved engine-side reference belongs to, if it is one. */
	public static Optional<String> owner(String engineReference) {
		Matcher m = NAMESPACED.matcher(engineReference);
		return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
	}

	/**
	 * The familiar reference a tenant wrote for an engine-side one ({@code berth.local/acme/d/app:1} →
	 * {@code app:1}), or empty when it is not in that tenant's namespace or names nothing the tenant
	 * wrote (an unnamed image's tag).
	 */
	public static Optional<String> decode(String tenant, String engineReference) {
		Matcher m = NAMESPACED.matcher(engineReference);
		if (!m.matches() || !m.group(1).equals(tenant) || m.group(2).equals(UNNAMED)) {
			return Optional.empty();
		}
		return Optional.of(decodeRest(m.group(2), m.group(3)));
	}

	/**
	 * How the tenant is shown an engine-side reference of its own: as it wrote it, or {@code <none>}
	 * for an unnamed image's tag; empty for anything else.
	 */
	public static Optional<String> shown(String tenant, String engineReference) {
		Optional<String> decoded = decode(tenant, engineReference);
		return decoded.isPresent() || !unnamedOf(tenant, engineReference) ? decoded : Optional.of(NONE);
	}

	/** The familiar reference of any engine-side tenant reference, whoever owns it (none for an unnamed image's tag). */
	static Optional<String> decodeAny(String engineReference) {
		Matcher m = NAMESPACED.matcher(engineReference);
		return m.matches() && !m.group(2).equals(UNNAMED) ? Optional.of(decodeRest(m.group(2), m.group(3)))
				: Optional.empty();
	}

	private static String decodeRest(String kind, String rest) {
		if (kind.equals("d")) {
			return rest;
		}
		int slash = rest.indexOf('/');
		return rest.substring(0, slash).replace("__", ":") + rest.substring(slash);
	}

	/**
	 * Replaces every engine-side reference of the tenant in a text by the tenant's own form; an unnamed
	 * image's tag by {@code <none>}.
	 */
	public static String decodeAll(String tenant, String text) {
		String marker = RESERVED + "/" + tenant + "/";
		if (!text.contains(marker)) {
			return text;
		}
		Matcher m = Pattern.compile(Pattern.quote(marker) + "(?:" + UNNAMED + "/[0-9a-f]+(?::latest)?|(d|r)/([a-z0-9._/-]+))")
			.matcher(text);
		StringBuilder out = new StringBuilder();
		while (m.find()) {
			String kind = m.group(1);
			String rest = m.group(2);
			String decoded = kind == null ? NONE
					: kind.equals("r") && rest.indexOf('/') < 0 ? m.group() : decodeRest(kind, rest);
			m.appendReplacement(out, Matcher.quoteReplacement(decoded));
		}
		m.appendTail(out);
		return out.toString();
	}

}
