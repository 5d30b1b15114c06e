package berth.account;

import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

import berth.outage.Database;
import berth.outage.Unavailable;
import berth.web.ProblemWriter;

/**
 * While the database is known to be down, an authenticated admin call gets its 503 at once, instead
 * of after a wait for a connection that will not come. Runs after the admin security chain (order
 * -100), so a caller without the admin token is still told that first. The first call of an outage,
 * or one in the second before the database's probe has seen it return, goes through and meets the
 * database as it is ({@link AdminErrors} answers its failure).
 */
@Component
@Order(0)
class AdminOutage implements WebFilter {

	private final Database database;

	private final ProblemWriter problems;

	AdminOutage(Database database, ProblemWriter problems) {
		this.database = database;
		this.problems = problems;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		if (!database.isDown() || !exchange.getRequest().getPath().value().startsWith("/api/")) {
			return chain.filter(exchange);
		}
		Unavailable unavailable = database.unavailable();
		exchange.getResponse()
			.getHeaders()
			.set(HttpHeaders.RETRY_AFTER, Long.toString(unavailable.retryAfter().toSeconds()));
		return problems.write(exchange, HttpStatus.SERVICE_UNAVAILABLE,
				unavailable.getMessage().substring("berth: ".length()));
	}

}
