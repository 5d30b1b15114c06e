package berth.policy;

import java.math.BigInteger;
import java.util.Locale;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Where and as whom a container's or an exec's process starts: the working directory (never under
 * {@code /proc}) and the user (never uid 0 when root is not allowed, in any spelling or by
 * wrapping around).
 */
final class ProcessRules {

	/** What Go's {@code strconv.Atoi} reads as a number: an optional sign and decimal digits. */
	private static final Pattern NUMBER = Pattern.compile("[+-]?[0-9]+");

	/** The largest uid the runtime takes as it is; larger numbers wrap around (to 0, at 2^32). */
	private static final BigInteger MAX_UID = BigInteger.valueOf(Integer.MAX_VALUE);

	private ProcessRules() {
	}

	/**
	 * Refuses a working directory under {@code /proc}. A process that starts in
	 * {@code /proc/self/fd/N} holds a descriptor of the host's (runc's CVE-2024-21626); a patched runc
	 * stops it, and Berth is the second layer. The path is compared as the runtime resolves it:
	 * cleaned of {@code //}, {@code .} and {@code ..} and trailing slashes, relative to the root.
	 * Symbolic links inside the image are not followed (see the README).
	 */
	static @Nullable String workingDir(@Nullable JsonNode value) {
		String dir = Values.text(value);
		return underProc(dir) ? "processes cannot start in /proc (WorkingDir " + dir + ")" : null;
	}

	/** A commit's or an import's {@code changes} line: a {@code WORKDIR} under /proc is refused. */
	static boolean acceptsChange(String change) {
		String line = change.strip();
		int space = firstSpace(line);
		if (space < 0 || !line.substring(0, space).toUpperCase(Locale.ROOT).equals("WORKDIR")) {
			return true;
		}
		String dir = line.substring(space).strip();
		if (dir.length() >= 2 && dir.charAt(0) == '"' && dir.charAt(dir.length() - 1) == '"') {
			dir = dir.substring(1, dir.length() - 1);
		}
		return !underProc(dir);
	}

	private static int firstSpace(String line) {
		for (int i = 0; i < line.length(); i++) {
			if (Character.isWhitespace(line.charAt(i))) {
				return i;
			}
		}
		return -1;
	}

	static boolean underProc(String path) {
		String clean = clean(path);
		return clean.equals("/proc") || clean.startsWith("/proc/");
	}

	/** Go's {@code path.Clean} of the path taken from the root: {@code /proc/../proc//x/} is {@code /proc/x}. */
	static String clean(String path) {
		return "/" + GoPaths.cleanRelative(path);
	}

	/**
	 * Whether a user spec ({@code user[:group]}) runs as uid 0: {@code root}, a number that is 0
	 * ({@code 0}, {@code 00}, {@code +0}, {@code -0}), or a number out of the uid range, which the
	 * runtime wraps around ({@code 4294967296} is 0) or cannot hold.
	 */
	static boolean isRoot(String user) {
		int colon = user.indexOf(':');
		String uid = (colon < 0 ? user : user.substring(0, colon)).strip().toLowerCase(Locale.ROOT);
		if (uid.equals("root")) {
			return true;
		}
		if (!NUMBER.matcher(uid).matches()) {
			return false;
		}
		BigInteger number = new BigInteger(uid);
		return number.signum() <= 0 || number.compareTo(MAX_UID) > 0;
	}

}
