package berth.account;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** The admin API answers errors as problem details; unexpected failures never show their internals. */
@RestControllerAdvice(annotations = org.springframework.web.bind.annotation.RestController.class)
class AdminErrors {

	private static final Logger log = LoggerFactory.getLogger(AdminErrors.class);

	@ExceptionHandler
	ProblemDetail known(ErrorResponseException error) {
		return error.getBody();
	}

	@ExceptionHandler
	ProblemDetail unexpected(RuntimeException error) {
		log.error("admin API request failed", error);
		return ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR,
				"the request could not be completed; the server log has the details");
	}

}
