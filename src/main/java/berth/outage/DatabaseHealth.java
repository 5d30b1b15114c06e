package berth.outage;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.sql.DataSource;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * The {@code db} component of {@code /actuator/health}, in place of Spring Boot's own: {@code DOWN}
 * at once while the database is known to be away (since when, why, how long stale answers have been
 * given), without waiting for a connection each time it is asked; otherwise a connection from the pool
 * is checked, and a failure there marks the database down for the data plane too. Liveness and
 * readiness do not include it: the data plane serves without the database. The check answers within
 * {@link #ANSWER_WITHIN_SECONDS} whatever the pool does: a check that takes longer reports the database
 * DOWN and marks it down, as a failed one does.
 */
@Component("dbHealthIndicator")
class DatabaseHealth implements HealthIndicator {

	static final int ANSWER_WITHIN_SECONDS = 3;

	private final Database database;

	private final DataSource pool;

	/** Checks block on JDBC: a virtual thread each, never the caller's. */
	private final Executor checks = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("db-health-", 0).factory());

	DatabaseHealth(Database database, DataSource pool) {
		this.database = database;
		this.pool = pool;
	}

	@Override
	public Health health() {
		Instant since = database.downSince();
		if (since != null) {
			return down(since);
		}
		CompletableFuture<Health> check = CompletableFuture.supplyAsync(this::checkPool, checks);
		try {
			return check.get(ANSWER_WITHIN_SECONDS, TimeUnit.SECONDS);
		}
		catch (TimeoutException e) {
			check.cancel(true);
			return failed(new TimeoutException("no connection from the pool within " + ANSWER_WITHIN_SECONDS + " s"));
		}
		catch (ExecutionException e) {
			return failed(e.getCause());
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			return Health.unknown().build();
		}
	}

	private Health checkPool() {
		try (Connection connection = pool.getConnection()) {
			if (connection.isValid(2)) {
				return Health.up().withDetail("database", connection.getMetaData().getDatabaseProductName()).build();
			}
			return Health.down().withDetail("error", "the connection did not validate in 2 s").build();
		}
		catch (SQLException e) {
			throw new IllegalStateException(e);
		}
	}

	private Health failed(Throwable error) {
		Throwable cause = error instanceof IllegalStateException wrapped && wrapped.getCause() instanceof SQLException sql
				? sql : error;
		database.failed(cause);
		Instant failed = database.downSince();
		return failed != null ? down(failed) : Health.down().withDetail("error", cause.getClass().getSimpleName()).build();
	}

	private Health down(Instant since) {
		String cause = database.downCause();
		return Health.down()
			.withDetail("since", since.toString())
			.withDetail("error", cause == null ? "unreachable" : cause)
			.withDetail("servingStaleFor", database.servingStaleFor().toString())
			.build();
	}

}
