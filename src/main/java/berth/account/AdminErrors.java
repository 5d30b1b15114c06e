package berth.account;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

import berth.outage.Database;
import berth.outage.Unavailable;

/** The admin API answers errors as problem details; unexpected failures never show their internals. */
@RestControllerAdvice(annotations = org.springframework.web.bind.annotation.RestController.class)
class AdminErrors {

	private static final Logger log = LoggerFactory.getLogger(AdminErrors.class);

	private final Database database;

	AdminErrors(Database database) {
		this.database = database;
	}

	@ExceptionHandler
	ProblemDetail known(ErrorResponseException error) {
		return error.getBody();
	}

	/**
	 * The admin API reads and writes the database itself, so without it there is nothing to answer:
	 * a 503 with {@code Retry-After}, which an operator's script can wait on, rather than a 500.
	 */
	@ExceptionHandler
	ResponseEntity<ProblemDetail> unexpected(RuntimeException error) {
		if (!database.failed(error)) {
			log.error("admin API request failed", error);
			return ResponseEntity.internalServerError()
				.body(ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR,
						"the request could not be completed; the server log has the details"));
		}
		Unavailable unavailable = database.unavailable();
		log.warn("admin API request refused, the database is unreachable: {}", error.getMessage());
		return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
			.header(HttpHeaders.RETRY_AFTER, Long.toString(unavailable.retryAfter().toSeconds()))
			.body(ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
					unavailable.getMessage().substring("berth: ".length())));
	}

}
