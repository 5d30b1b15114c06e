package berth.outage;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Properties;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.CannotCreateTransactionException;

/**
 * Postgres, where tenants, keys, plans and domains live. A failure that says the database cannot be
 * reached, or cannot serve right now (a connection refused, reset or timed out, a server shutting
 * down or out of connections), is taken for its absence; a failure of the statement itself is not.
 */
@Component
public class Database extends Dependency {

	private final DataSource pool;

	Database(DataSource pool, MeterRegistry registry) {
		super("database", "the account database is unavailable, try again shortly", Duration.ofSeconds(5), registry,
				Clock.systemUTC());
		this.pool = pool;
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

	/**
	 * Opens a connection of its own rather than borrowing one: a pool that has failed to connect for a
	 * while waits seconds between its attempts (HikariCP up to 5 s), and the return must be seen
	 * within a second. Loads then go through the pool, which connects at once when asked after an
	 * idle spell (so the pool keeps no minimum of idle connections, see application.yml).
	 */
	@Override
	protected void check() throws SQLException {
		if (!(pool instanceof HikariDataSource hikari) || hikari.getJdbcUrl() == null) {
			try (Connection connection = pool.getConnection()) {
				if (!connection.isValid(2)) {
					throw new SQLRecoverableException("the database did not answer a validation in 2 s");
				}
			}
			return;
		}
		Properties properties = new Properties();
		properties.putAll(hikari.getDataSourceProperties());
		if (hikari.getUsername() != null) {
			properties.setProperty("user", hikari.getUsername());
		}
		if (hikari.getPassword() != null) {
			properties.setProperty("password", hikari.getPassword());
		}
		// PostgreSQL's driver: give up on a connection or an answer after 2 s
		properties.setProperty("connectTimeout", "2");
		properties.setProperty("loginTimeout", "2");
		properties.setProperty("socketTimeout", "2");
		try (Connection connection = DriverManager.getConnection(hikari.getJdbcUrl(), properties);
				Statement statement = connection.createStatement()) {
			statement.execute("select 1");
		}
	}

}
