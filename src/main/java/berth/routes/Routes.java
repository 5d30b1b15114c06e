package berth.routes;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/** The routes of labelled containers, in Postgres: the source of truth of what is published. Blocking. */
@Repository
class Routes {

	private static final String SELECT = """
			select r.*, t.name as tenant_name from route r join tenant t on t.id = r.tenant_id
			""";

	private final JdbcClient jdbc;

	Routes(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/** Replaces a container's routes; answers the hosts it had before. */
	@Transactional
	Set<String> replace(String containerId, List<RouteRow> rows) {
		Set<String> before = remove(containerId);
		Timestamp now = Timestamp.from(Instant.now());
		for (RouteRow row : rows) {
			jdbc.sql("""
					insert into route (container_id, position, tenant_id, engine_id, container_name, host, port, state,
					                   target_url, started_at, updated_at)
					values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
				.params(row.containerId(), row.position(), row.tenantId(), row.engineId(), row.containerName(), row.host(),
						row.port(), row.running() ? "running" : "stopped", row.targetUrl(),
						row.startedAt() == null ? null : Timestamp.from(row.startedAt()), now)
				.update();
		}
		return before;
	}

	/** Marks a container's routes stopped; answers their hosts. */
	Set<String> stop(String containerId) {
		return new HashSet<>(jdbc.sql("""
				update route set state = 'stopped', target_url = null, updated_at = ?
				where container_id = ? returning host""")
			.params(Timestamp.from(Instant.now()), containerId)
			.query(String.class)
			.list());
	}

	/** Forgets a container's routes; answers their hosts. */
	Set<String> remove(String containerId) {
		return new HashSet<>(jdbc.sql("delete from route where container_id = ? returning host")
			.param(containerId)
			.query(String.class)
			.list());
	}

	/** The routes of the containers Berth knows on an engine, by container. */
	Map<String, List<RouteRow>> onEngine(String engineId) {
		Map<String, List<RouteRow>> out = new LinkedHashMap<>();
		jdbc.sql(SELECT + " where r.engine_id = ? order by r.container_id, r.position")
			.param(engineId)
			.query(Routes::map)
			.list()
			.forEach(row -> out.computeIfAbsent(row.containerId(), id -> new java.util.ArrayList<>()).add(row));
		return out;
	}

	List<RouteRow> all() {
		return jdbc.sql(SELECT + " order by r.host, r.container_id, r.position").query(Routes::map).list();
	}

	List<RouteRow> forHosts(Collection<String> hosts) {
		if (hosts.isEmpty()) {
			return List.of();
		}
		return jdbc.sql(SELECT + " where r.host in (:hosts) order by r.host, r.container_id, r.position")
			.param("hosts", List.copyOf(hosts))
			.query(Routes::map)
			.list();
	}

	List<RouteRow> ofTenant(UUID tenantId) {
		return jdbc.sql(SELECT + " where r.tenant_id = ? order by r.host, r.container_id, r.position")
			.param(tenantId)
			.query(Routes::map)
			.list();
	}

	private static RouteRow map(ResultSet rs, int row) throws SQLException {
		Timestamp started = rs.getTimestamp("started_at");
		return new RouteRow(rs.getString("container_id"), rs.getInt("position"), rs.getObject("tenant_id", UUID.class),
				rs.getString("tenant_name"), rs.getString("engine_id"), rs.getString("container_name"),
				rs.getString("host"), rs.getInt("port"), "running".equals(rs.getString("state")),
				rs.getString("target_url"), started == null ? null : started.toInstant());
	}

}
