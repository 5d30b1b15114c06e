package berth.policy;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Paths as the engine's Go code cleans them ({@code path.Clean} taken from the root), for every rule
 * that must read a path the way the engine will: a working directory, an archive entry, a Dockerfile.
 */
public final class GoPaths {

	private GoPaths() {
	}

	/**
	 * The path's segments from the root, without the leading {@code /}: empty and {@code .} segments
	 * dropped, {@code ..} taking one back and never above the root ({@code /proc/../proc//x/} is
	 * {@code proc/x}).
	 */
	public static String cleanRelative(String path) {
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
		return String.join("/", parts);
	}

}
