package berth.web;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The engine's error body, for code that writes bytes itself (the hijack and fast paths). */
public final class DockerErrors {

	private static final Logger log = LoggerFactory.getLogger(DockerErrors.class);

	/**
	 * What a docker client is told about a failed request.
	 *
	 * @param body the answer's JSON, in the engine's shape
	 * @param retryAfterSeconds the {@code Retry-After} header's value, 0 for none
	 */
	public record Answer(int status, String message, byte[] body, long retryAfterSeconds) {

		public Answer(int status, String message) {
			this(status, message, 0);
		}

		public Answer(int status, String message, long retryAfterSeconds) {
			this(status, message, DockerErrors.body(message), retryAfterSeconds);
		}

	}

	private DockerErrors() {
	}

	/**
	 * The answer to an error: a {@link DockerApiException} says its own status and words; anything
	 * else is a 500 that points to the server log, where it is written with the request it failed.
	 */
	public static Answer answerFor(Throwable error, String method, String path) {
		if (error instanceof EngineAnswer answer) {
			return new Answer(answer.status().value(), answer.getMessage(), answer.json(), 0);
		}
		if (error instanceof DockerApiException refusal) {
			Duration retryAfter = refusal.retryAfter();
			return new Answer(refusal.status().value(), refusal.getMessage(),
					retryAfter == null ? 0 : Math.max(1, retryAfter.toSeconds()));
		}
		log.error("request {} {} failed", method, path, error);
		return new Answer(500, INTERNAL, 0);
	}

	static final String INTERNAL = "berth: internal error; the server log has the details";

	public static byte[] body(String message) {
		StringBuilder out = new StringBuilder("{\"message\":\"");
		for (char c : message.toCharArray()) {
			switch (c) {
				case '"' -> out.append("\\\"");
				case '\\' -> out.append("\\\\");
				case '\n' -> out.append("\\n");
				case '\r' -> out.append("\\r");
				case '\t' -> out.append("\\t");
				default -> {
					if (c < 0x20) {
						out.append(String.format("\\u%04x", (int) c));
					}
					else {
						out.append(c);
					}
				}
			}
		}
		return out.append("\"}\n").toString().getBytes(StandardCharsets.UTF_8);
	}

}
