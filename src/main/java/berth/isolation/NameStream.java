package berth.isolation;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A stream of the engine's JSON progress messages (build, pull, load, rmi), line by line, with the
 * tenant's engine-side image names written back in the tenant's own form. A build's "Successfully
 * tagged" for an image the tenant did not name is left out (the image has no name for the tenant);
 * anywhere else such a tag shows as {@code <none>}. Only a partial line is held back; a line longer
 * than a bound passes unchanged. Notes whether a message reported an error.
 */
public final class NameStream {

	private static final int MAX_LINE = 1 << 20;

	private final String tenant;

	private final String unnamed;

	private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

	private boolean failed;

	public NameStream(String tenant) {
		this.tenant = tenant;
		this.unnamed = ImageNames.unnamedPrefix(tenant);
	}

	/** The bytes to pass on for a chunk (possibly none yet). */
	public byte[] feed(byte[] chunk) {
		ByteArrayOutputStream out = new ByteArrayOutputStream(chunk.length + 16);
		int start = 0;
		for (int i = 0; i < chunk.length; i++) {
			if (chunk[i] == '\n') {
				partial.write(chunk, start, i + 1 - start);
				out.writeBytes(line(partial.toByteArray()));
				partial.reset();
				start = i + 1;
			}
		}
		partial.write(chunk, start, chunk.length - start);
		if (partial.size() > MAX_LINE) {
			out.writeBytes(partial.toByteArray());
			partial.reset();
		}
		return out.toByteArray();
	}

	/** What is left at the end of the stream. */
	public byte[] finish() {
		byte[] rest = line(partial.toByteArray());
		partial.reset();
		return rest;
	}

	/** Whether a message of the stream carried an error. */
	public boolean failed() {
		return failed;
	}

	private byte[] line(byte[] bytes) {
		String text = new String(bytes, StandardCharsets.UTF_8);
		boolean error = text.contains("\"error\"") || text.contains("\"errorDetail\"");
		failed |= error;
		if (!error && text.contains("Successfully tagged " + unnamed)) {
			return new byte[0];
		}
		String decoded = ImageNames.decodeAll(tenant, text);
		return decoded == text ? bytes : decoded.getBytes(StandardCharsets.UTF_8);
	}

}
