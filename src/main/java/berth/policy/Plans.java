package berth.policy;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Plans and which tenant has which, in Postgres. Blocking. */
@Repository
class Plans {

	private final JdbcClient jdbc;

	Plans(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	List<Plan> findAll() {
		return jdbc.sql("select * from plan order by memory_bytes").query(Plan.class).list();
	}

	Optional<Plan> ofTenant(UUID tenantId) {
		return jdbc.sql("select p.* from plan p join tenant t on t.plan = p.name where t.id = ?")
			.param(tenantId)
			.query(Plan.class)
			.optional();
	}

	boolean exists(String plan) {
		return jdbc.sql("select count(*) from plan where name = ?").param(plan).query(Integer.class).single() == 1;
	}

	/** The backend that serves a plan's tenants: {@code shared} or {@code proxmox}. */
	String backendOf(String plan) {
		return jdbc.sql("select backend from plan where name = ?").param(plan).query(String.class).single();
	}

	String backendOfTenant(UUID tenantId) {
		return jdbc.sql("select p.backend from plan p join tenant t on t.plan = p.name where t.id = ?")
			.param(tenantId)
			.query(String.class)
			.single();
	}

	void assign(UUID tenantId, String plan) {
		jdbc.sql("update tenant set plan = ? where id = ?").params(plan, tenantId).update();
	}

}
