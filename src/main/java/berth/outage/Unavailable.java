package berth.outage;

import java.time.Duration;

import org.springframework.http.HttpStatus;

import berth.web.DockerApiException;

/**
 * A dependency is away and nothing known about the request is at hand: a 503 with
 * {@code Retry-After}, never a 401 that would tell a valid tenant its key is wrong, nor a 500.
 */
public class Unavailable extends DockerApiException {

	private final Duration retryAfter;

	Unavailable(String message, Duration retryAfter) {
		super(HttpStatus.SERVICE_UNAVAILABLE, message, retryAfter);
		this.retryAfter = retryAfter;
	}

	@Override
	public Duration retryAfter() {
		return retryAfter;
	}

}
