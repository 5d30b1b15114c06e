package berth.policy;

import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * Which sources of a bind are refused. On Berth a bind never mounts the host: the source path only
 * names storage of the tenant's own ({@code isolation/HostStorage}). Some paths make sense only as
 * the real host's, though, and a container asking for them would get an empty directory where it
 * expects the host's configuration, its kernel's files or the engine itself: those are refused, with
 * the reason, rather than quietly made into storage. Paths are read after Go's {@code path.Clean}
 * ({@code /tmp/../etc} is {@code /etc}). A relative path means nothing to a remote engine (compose
 * makes {@code ./data} absolute on the client before sending it), so it is refused too.
 */
final class HostPaths {

	/** The host's own trees: a bind of one of them, or of anything under it, expects the host. */
	static final List<String> SYSTEM = List.of("/etc", "/proc", "/sys", "/dev", "/boot", "/run", "/var/run",
			"/var/lib/docker", "/var/lib/containerd");

	/** Sockets that control an engine, wherever they live. */
	static final Set<String> SOCKETS = Set.of("docker.sock", "containerd.sock");

	private HostPaths() {
	}

	/**
	 * Why a bind of {@code source} is refused, or null when it may become the tenant's storage.
	 *
	 * @param what how the refusal names the request, e.g. {@code bind /:/host}
	 */
	static @Nullable String refusal(String source, String what) {
		if (!source.startsWith("/")) {
			return "relative host paths mean nothing on a remote engine (" + what
					+ "); give an absolute path (compose does for ./dir) or a named volume";
		}
		String clean = clean(source);
		String name = clean.substring(clean.lastIndexOf('/') + 1);
		if (SOCKETS.contains(name)) {
			return "the engine's socket cannot be mounted into containers (" + what
					+ "): it would control the engine every tenant shares";
		}
		if (clean.equals("/")) {
			return "the host's root cannot be mounted into containers (" + what
					+ "): binds become storage of the tenant's own, and / only means the host";
		}
		for (String system : SYSTEM) {
			if (clean.equals(system) || clean.startsWith(system + "/")) {
				return "host system paths cannot be mounted into containers (" + what + "): binds become storage"
						+ " of the tenant's own, and " + system + " only means the host's; use another path";
			}
		}
		return null;
	}

	/** An absolute path as the engine cleans it: {@code /a//b/../c/} is {@code /a/c}. */
	static String clean(String path) {
		return "/" + GoPaths.cleanRelative(path);
	}

}
