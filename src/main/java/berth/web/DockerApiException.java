package berth.web;

import java.time.Duration;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/**
 * A refusal or failure answered to a docker client in the engine's own error shape,
 * {@code {"message": "berth: ..."}}, which the CLI prints as "Error response from daemon: ...".
 */
public class DockerApiException extends RuntimeException {

	private final HttpStatus status;

	private final @Nullable Duration retryAfter;

	public DockerApiException(HttpStatus status, String message) {
		this(status, message, true, null);
	}

	/**
	 * A failure that goes away by itself (a dependency that is down): the answer carries
	 * {@code Retry-After}, so a client or a load balancer knows that asking again is the remedy.
	 */
	public DockerApiException(HttpStatus status, String message, Duration retryAfter) {
		this(status, message, true, retryAfter);
	}

	/** @param prefixed whether the message is marked as Berth's own (see {@link EngineError}) */
	DockerApiException(HttpStatus status, String message, boolean prefixed, @Nullable Duration retryAfter) {
		super(!prefixed || message.startsWith("berth: ") ? message : "berth: " + message, null, false, false);
		this.status = status;
		this.retryAfter = retryAfter;
	}

	public HttpStatus status() {
		return status;
	}

	/** When to ask again, for failures that are expected to pass; null for refusals. */
	public @Nullable Duration retryAfter() {
		return retryAfter;
	}

}
