package berth.routes;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Custom domains registered for tenants, in Postgres. Blocking: callers keep it off event loops. */
@Repository
class Domains {

	record Domain(String domain, String tenant, Instant createdAt) {
	}

	private final JdbcClient jdbc;

	Domains(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/** @throws org.springframework.dao.DuplicateKeyException when any tenant has it already */
	Domain register(UUID tenantId, String tenantName, String domain) {
		Instant now = Instant.now();
		jdbc.sql("insert into tenant_domain (domain, tenant_id, created_at) values (?, ?, ?)")
			.params(domain, tenantId, Timestamp.from(now))
			.update();
		return new Domain(domain, tenantName, now);
	}

	List<Domain> of(UUID tenantId) {
		return jdbc.sql("""
				select d.domain, t.name, d.created_at from tenant_domain d join tenant t on t.id = d.tenant_id
				where d.tenant_id = ? order by d.domain""")
			.param(tenantId)
			.query((rs, row) -> new Domain(rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant()))
			.list();
	}

	Set<String> namesOf(UUID tenantId) {
		return Set.copyOf(jdbc.sql("select domain from tenant_domain where tenant_id = ?")
			.param(tenantId)
			.query(String.class)
			.list());
	}

	/** The domains of the given tenants, by tenant. */
	Map<UUID, Set<String>> namesOf(Collection<UUID> tenantIds) {
		Map<UUID, Set<String>> out = new HashMap<>();
		if (tenantIds.isEmpty()) {
			return out;
		}
		jdbc.sql("select tenant_id, domain from tenant_domain where tenant_id in (:ids)")
			.param("ids", List.copyOf(tenantIds))
			.query((rs, row) -> out.computeIfAbsent(rs.getObject(1, UUID.class), id -> new HashSet<>())
				.add(rs.getString(2)))
			.list();
		return out;
	}

	Optional<String> ownerOf(String domain) {
		return jdbc.sql("select t.name from tenant_domain d join tenant t on t.id = d.tenant_id where d.domain = ?")
			.param(domain)
			.query(String.class)
			.optional();
	}

	boolean remove(UUID tenantId, String domain) {
		return jdbc.sql("delete from tenant_domain where tenant_id = ? and domain = ?").params(tenantId, domain).update() == 1;
	}

}
