package berth.account;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** All tenants, in Postgres. Blocking: callers keep it off event loops. */
@Repository
public class Tenants {

	private final JdbcClient jdbc;

	Tenants(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * @throws org.springframework.dao.DuplicateKeyException when the name is taken
	 * @throws NameRetired when the name belonged to a deleted tenant
	 */
	Tenant create(String name, String email) {
		Tenant tenant = new Tenant(UUID.randomUUID(), name, email, Instant.now());
		int created = jdbc.sql("""
				insert into tenant (id, name, email, created_at)
				select ?, ?, ?, ? where not exists (select 1 from retired_tenant_name where name = ?)""")
			.params(tenant.id(), tenant.name(), tenant.email(), Timestamp.from(tenant.createdAt()), tenant.name())
			.update();
		if (created == 0) {
			throw new NameRetired(name);
		}
		return tenant;
	}

	public Optional<Tenant> findByName(String name) {
		return jdbc.sql("select * from tenant where name = ?").param(name).query(Tenants::map).optional();
	}

	public List<Tenant> findAll() {
		return jdbc.sql("select * from tenant order by name").query(Tenants::map).list();
	}

	/**
	 * Deletes the tenant (its keys, domains and routes with it) and retires its name in the same
	 * statement: its objects on the engine still carry the name.
	 */
	boolean delete(UUID id) {
		return jdbc.sql("""
				with deleted as (delete from tenant where id = ? returning name)
				insert into retired_tenant_name (name, retired_at) select name, now() from deleted
				on conflict (name) do update set retired_at = excluded.retired_at""")
			.param(id)
			.update() == 1;
	}

	/** A new tenant asked for the name of a deleted one. */
	static final class NameRetired extends RuntimeException {

		NameRetired(String name) {
			super("the name '" + name + "' belonged to a deleted tenant and is not given out again");
		}

	}

	private static Tenant map(ResultSet rs, int row) throws SQLException {
		return new Tenant(rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("email"),
				rs.getTimestamp("created_at").toInstant());
	}

}
