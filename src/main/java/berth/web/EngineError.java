package berth.web;

import org.springframework.http.HttpStatus;

/**
 * An error worded exactly as the Docker engine words it, without Berth's prefix: where Berth must be
 * indistinguishable from the engine (a tenant asking for another tenant's object gets the engine's
 * "No such container: web").
 */
public class EngineError extends DockerApiException {

	public EngineError(HttpStatus status, String message) {
		super(status, message, false, null);
	}

}
