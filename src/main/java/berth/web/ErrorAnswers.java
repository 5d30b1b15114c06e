package berth.web;

import org.springframework.boot.webflux.error.ErrorWebExceptionHandler;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Last line for errors on the tenant-facing port: the admin API ({@code /api/**}) answers RFC 9457
 * problem details, everything else is the Docker API and answers {@code {"message": "berth: ..."}}.
 * Never a stack trace.
 */
@Component
@Order(-2)
class ErrorAnswers implements ErrorWebExceptionHandler {

	private final ProblemWriter problems;

	ErrorAnswers(ProblemWriter problems) {
		this.problems = problems;
	}

	@Override
	public Mono<Void> handle(ServerWebExchange exchange, Throwable error) {
		if (exchange.getResponse().isCommitted()) {
			return Mono.error(error);
		}
		HttpStatusCode status;
		String message;
		if (error instanceof EngineAnswer answer) {
			return write(exchange, answer.status(), answer.json());
		}
		if (error instanceof ResponseStatusException known) {
			status = known.getStatusCode();
			message = known.getReason() != null ? known.getReason() : HttpStatus.valueOf(status.value()).getReasonPhrase();
		}
		else {
			DockerErrors.Answer answer = DockerErrors.answerFor(error, String.valueOf(exchange.getRequest().getMethod()),
					exchange.getRequest().getPath().value());
			status = HttpStatusCode.valueOf(answer.status());
			message = answer.message();
			if (answer.retryAfterSeconds() > 0) {
				exchange.getResponse().getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(answer.retryAfterSeconds()));
			}
		}
		String path = exchange.getRequest().getPath().value();
		if (path.equals("/api") || path.startsWith("/api/")) {
			return problems.write(exchange, status, message.startsWith("berth: ") ? message.substring(7) : message);
		}
		boolean worded = !(error instanceof ResponseStatusException);
		return writeDocker(exchange, status, worded || message.startsWith("berth: ") ? message : "berth: " + message);
	}

	private Mono<Void> writeDocker(ServerWebExchange exchange, HttpStatusCode status, String message) {
		return write(exchange, status, DockerErrors.body(message));
	}

	private Mono<Void> write(ServerWebExchange exchange, HttpStatusCode status, byte[] body) {
		var response = exchange.getResponse();
		response.setStatusCode(status);
		response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
		response.getHeaders().setContentLength(body.length);
		return response.writeWith(Mono.just(response.bufferFactory().wrap(body)));
	}

}
