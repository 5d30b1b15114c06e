package berth.policy;

import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

import berth.web.EngineAnswer;

/**
 * What Berth answers itself, as an engine that is in no swarm and has no plugins installed, for the
 * calls clients make to find that out: reading swarm state or objects ({@code 503 This node is not a
 * swarm manager}), leaving a swarm in a clean-up ({@code 503 This node is not part of a swarm}, which
 * clients expect and ignore), removing swarm objects, listing plugins (none) and inspecting one (not
 * found). Nothing is forwarded, so the shared engine's own swarm state and plugins stay unseen.
 * Everything that would change swarm or plugins (init, join, create, update, install) stays refused
 * by the {@link ApiTable}.
 */
final class StandIns {

	/** The engine's words when swarm state is read on a node outside a swarm. */
	static final String NO_MANAGER = "This node is not a swarm manager. Use \"docker swarm init\" or "
			+ "\"docker swarm join\" to connect this node to swarm and try again.";

	/** The engine's words when a node outside a swarm is asked to leave one. */
	static final String NO_SWARM = "This node is not part of a swarm";

	private static final Set<String> SWARM_OBJECTS = Set.of("/nodes", "/services", "/tasks", "/secrets", "/configs");

	private StandIns() {
	}

	/** The answer for an unversioned path, or null when the request is decided by the table. */
	static @Nullable EngineAnswer answer(String method, String path) {
		if (method.equals("POST") && path.equals("/swarm/leave")) {
			return EngineAnswer.error(HttpStatus.SERVICE_UNAVAILABLE, NO_SWARM);
		}
		if (method.equals("GET") && (path.equals("/swarm") || path.equals("/swarm/unlockkey"))) {
			return EngineAnswer.error(HttpStatus.SERVICE_UNAVAILABLE, NO_MANAGER);
		}
		String family = family(path);
		if (SWARM_OBJECTS.contains(family)
				&& (method.equals("GET") || (method.equals("DELETE") && path.length() > family.length()))) {
			return EngineAnswer.error(HttpStatus.SERVICE_UNAVAILABLE, NO_MANAGER);
		}
		if (method.equals("GET") && path.equals("/plugins")) {
			return EngineAnswer.ok("[]");
		}
		if (method.equals("GET") && path.startsWith("/plugins/") && path.endsWith("/json")
				&& path.length() > "/plugins//json".length()) {
			String name = path.substring("/plugins/".length(), path.length() - "/json".length());
			if (!name.equals("privileges")) {
				return EngineAnswer.error(HttpStatus.NOT_FOUND, "plugin \"" + name + "\" not found");
			}
		}
		return null;
	}

	/** {@code /services} of {@code /services/x/logs}. */
	private static String family(String path) {
		int slash = path.indexOf('/', 1);
		return slash < 0 ? path : path.substring(0, slash);
	}

}
