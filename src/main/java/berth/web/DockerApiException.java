package berth.web;

import org.springframework.http.HttpStatus;

/**
 * A refusal or failure answered to a docker client in the engine's own error shape,
 * {@code {"message": "berth: ..."}}, which the CLI prints as "Error response from daemon: ...".
 */
public class DockerApiException extends RuntimeException {

	private final HttpStatus status;

	public DockerApiException(HttpStatus status, String message) {
		this(status, message, true);
	}

	/** @param prefixed whether the message is marked as Berth's own (see {@link EngineError}) */
	DockerApiException(HttpStatus status, String message, boolean prefixed) {
		super(!prefixed || message.startsWith("berth: ") ? message : "berth: " + message, null, false, false);
		this.status = status;
	}

	public HttpStatus status() {
		return status;
	}

}
