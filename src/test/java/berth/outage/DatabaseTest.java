package berth.outage;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.BadSqlGrammarException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.jdbc.UncategorizedSQLException;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;
import org.springframework.transaction.CannotCreateTransactionException;

/** Which failures mean that Postgres is away, and so mark it down, and which are the statement's own. */
class DatabaseTest {

	final Database database = new Database(new SimpleDriverDataSource(),
			new SimpleMeterRegistry());

	@Test
	void unreachableOrUnavailableIsAnOutage() {
		assertThat(database.failed(new CannotGetJdbcConnectionException("Failed to obtain JDBC Connection",
				new SQLTransientConnectionException("request timed out after 3000ms")))).isTrue();
		assertThat(database.isDown()).isTrue();
		database.answered();
		assertThat(database.isDown()).isFalse();

		assertThat(database.failed(new CannotCreateTransactionException("Could not open JDBC Connection"))).isTrue();
		database.answered();
		// the driver's words for a reset connection, and for a server shutting down, whatever Spring made of them
		assertThat(database.failed(
				new UncategorizedSQLException("select", "select 1", new SQLException("I/O error", "08006")))).isTrue();
		database.answered();
		assertThat(database.failed(new UncategorizedSQLException("select", "select 1",
				new SQLException("terminating connection due to administrator command", "57P01")))).isTrue();
		database.answered();
		assertThat(database.failed(new CompletionException(new TimeoutException()))).as("no answer in time").isTrue();
		assertThat(database.unavailable().getMessage())
			.isEqualTo("berth: the account database is unavailable, try again shortly");
		assertThat(database.unavailable().retryAfter()).hasSeconds(5);
	}

	@Test
	void aFailureOfTheStatementIsNot() {
		assertThat(database.failed(new DuplicateKeyException("taken"))).isFalse();
		assertThat(database.failed(new DataIntegrityViolationException("bad"))).isFalse();
		assertThat(database.failed(new BadSqlGrammarException("select", "selec 1", new SQLException("syntax", "42601"))))
			.isFalse();
		assertThat(database.failed(new IllegalStateException("tenant has no plan"))).isFalse();
		assertThat(database.isDown()).isFalse();
	}

}
