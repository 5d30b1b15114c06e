package berth.outage;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;

import javax.sql.DataSource;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * The {@code db} component of {@code /actuator/health}, in place of Spring Boot's own: {@code DOWN}
 * at once while the database is known to be away (since when, why, how long stale answers have been
 * given), without waiting for a connection each time it is asked; otherwise a connection from the pool
 * is checked, and a failure there marks the database down for the data plane too. Liveness and
 * readiness do not include it: the data plane serves without the database.
 */
@Component("dbHealthIndicator")
class DatabaseHealth implements HealthIndicator {

	private final Database database;

	private final DataSource pool;

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
		try (Connection connection = pool.getConnection()) {
			if (connection.isValid(2)) {
				return Health.up().withDetail("database", connection.getMetaData().getDatabaseProductName()).build();
			}
			return Health.down().withDetail("error", "the connection did not validate in 2 s").build();
		}
		catch (SQLException | RuntimeException e) {
			database.failed(e);
			Instant failed = database.downSince();
			return failed != null ? down(failed) : Health.down().withDetail("error", e.getClass().getSimpleName()).build();
		}
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
