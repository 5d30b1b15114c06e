package berth.outage;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.time.Clock;
import java.time.Duration;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.CannotCreateTransactionException;

/**
 * Postgres, where tenants, keys, plans and domains live. A failure that says the database cannot be
 * reached, or cannot serve right now (a connection refused, reset or timed out, a server shutting
 * down or out of connections), is taken for its absence; a failure of the statement itself is not.
 */
@Component
public class Database extends Dependency {

	private final JdbcClient jdbc;

	Database(JdbcClient jdbc, MeterRegistry registry) {
		super("database", "the account database is unavailable, try again shortly", Duration.ofSeconds(5), registry,
				Clock.systemUTC());
		this.jdbc = jdbc;
	}

	@Override
	protected boolean isOutage(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
			if (cause instanceof DataAccessResourceFailureException || cause instanceof TransientDataAccessException
					|| cause instanceof RecoverableDataAccessException
					|| cause instanceof CannotCreateTransactionException || cause instanceof SQLTransientException
					|| cause instanceof SQLRecoverableException || cause instanceof SQLNonTransientConnectionException) {
				return true;
			}
			// connection exceptions, insufficient resources, operator intervention (a shutdown)
			if (cause instanceof SQLException sql && sql.getSQLState() != null
					&& (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("53")
							|| sql.getSQLState().startsWith("57P"))) {
				return true;
			}
		}
		return false;
	}

	@Override
	protected void check() {
		jdbc.sql("select 1").query(Integer.class).single();
	}

}
