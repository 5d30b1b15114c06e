package berth.teardown;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.Collection;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Deleted tenants' teardowns, in Postgres (rows written by {@code Tenants.delete}). Every change is one
 * conditional statement, so replicas share the work without holding a lock while an attempt talks to
 * an engine: an attempt claims a row by a lease, and only the holder of that lease records its outcome.
 * Times are the database's, the one clock all replicas share. Blocking: callers keep it off event loops.
 */
@Repository
class Teardowns {

	/** A teardown an attempt holds the lease of. */
	record Claimed(UUID tenantId, String name, int attempt, UUID lease) {
	}

	private static final String STATE = """
			case when finished_at is not null then 'finished'
			     when leased_until > now() then 'running'
			     when attempts = 0 then 'waiting'
			     else 'retrying' end as state""";

	/** The most rows a list shows, newest first. */
	static final int LIST_LIMIT = 1000;

	private final JdbcClient jdbc;

	Teardowns(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/** Claims the teardown due longest, if any is due and no live lease holds it. */
	Optional<Claimed> claimDue(Duration lease, Collection<String> backends) {
		UUID token = UUID.randomUUID();
		return jdbc.sql("""
				update teardown set leased_by = ?, leased_until = now() + ? * interval '1 millisecond',
				       attempts = attempts + 1, last_attempt_at = now()
				where tenant_id = (select tenant_id from teardown
				                   where finished_at is null and due_at <= now()
				                     and (leased_until is null or leased_until <= now())
				                     and backend = any(string_to_array(?, ','))
				                   order by due_at limit 1 for update skip locked)
				  and finished_at is null and (leased_until is null or leased_until <= now())
				returning tenant_id, name, attempts""")
			.params(token, lease.toMillis(), String.join(",", backends))
			.query((rs, row) -> new Claimed(rs.getObject("tenant_id", UUID.class), rs.getString("name"),
					rs.getInt("attempts"), token))
			.optional();
	}

	/**
	 * Marks the teardown finished and frees the name, in one statement.
	 *
	 * @return false when the lease was lost meanwhile (another replica took over); nothing changed then
	 */
	boolean finished(Claimed claimed) {
		return jdbc.sql("""
				with done as (update teardown set finished_at = now(), leased_by = null, leased_until = null
				              where tenant_id = ? and leased_by = ? and finished_at is null returning name),
				freed as (delete from tenant_name where name in (select name from done) and retired_at is not null)
				select count(*) from done""")
			.params(claimed.tenantId(), claimed.lease())
			.query(Long.class)
			.single() == 1;
	}

	/**
	 * Records a failed attempt and when the next one is due.
	 *
	 * @return false when the lease was lost meanwhile
	 */
	boolean failed(Claimed claimed, String error, Duration retryAfter) {
		return jdbc.sql("""
				update teardown set last_error = ?, leased_by = null, leased_until = null,
				       due_at = now() + ? * interval '1 millisecond'
				where tenant_id = ? and leased_by = ? and finished_at is null""")
			.params(error, retryAfter.toMillis(), claimed.tenantId(), claimed.lease())
			.update() == 1;
	}

	/** Teardowns, newest first (at most {@link #LIST_LIMIT}). */
	List<Teardown> list(boolean unfinishedOnly) {
		return jdbc.sql("select *, " + STATE + " from teardown"
				+ (unfinishedOnly ? " where finished_at is null" : "") + " order by requested_at desc limit "
				+ LIST_LIMIT)
			.query(Teardowns::map)
			.list();
	}

	/** The latest teardown of a name (a name freed and given out again may be torn down more than once). */
	Optional<Teardown> latest(String name) {
		return jdbc.sql("select *, " + STATE + " from teardown where name = ? order by requested_at desc limit 1")
			.param(name)
			.query(Teardowns::map)
			.optional();
	}

	private static Teardown map(ResultSet rs, int row) throws SQLException {
		Instant finishedAt = instant(rs.getTimestamp("finished_at"));
		return new Teardown(rs.getString("name"), rs.getObject("tenant_id", UUID.class), rs.getString("state"),
				rs.getInt("attempts"), rs.getString("last_error"), rs.getTimestamp("requested_at").toInstant(),
				finishedAt == null ? instant(rs.getTimestamp("due_at")) : null, instant(rs.getTimestamp("last_attempt_at")),
				finishedAt);
	}

	private static @Nullable Instant instant(@Nullable Timestamp timestamp) {
		return timestamp == null ? null : timestamp.toInstant();
	}

}
