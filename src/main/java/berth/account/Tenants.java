package berth.account;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.dao.DuplicateKeyException;
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
	 * The name is claimed in {@code tenant_name} in the same statement, so it is unique among live
	 * and retired names alike, whatever runs at the same time.
	 *
	 * @throws DuplicateKeyException when a tenant has the name
	 * @throws NameRetired when the name belonged to a deleted tenant
	 */
	Tenant create(String name, String email) {
		Tenant tenant = new Tenant(UUID.randomUUID(), name, email, Instant.now());
		try {
			jdbc.sql("""
					with claimed as (insert into tenant_name (name) values (?) returning name)
					insert into tenant (id, name, email, created_at) select ?, name, ?, ? from claimed""")
				.params(tenant.name(), tenant.id(), tenant.email(), Timestamp.from(tenant.createdAt()))
				.update();
		}
		catch (DuplicateKeyException taken) {
			Optional<NameRetired> retired = jdbc.sql("""
					select exists (select 1 from teardown t where t.name = n.name and t.finished_at is null)
					from tenant_name n where n.name = ? and n.retired_at is not null""")
				.param(name)
				.query((rs, row) -> new NameRetired(name, rs.getBoolean(1)))
				.optional();
			throw retired.isPresent() ? retired.get() : taken;
		}
		return tenant;
	}

	/** Whether a tenant has, or had, the name. */
	boolean nameClaimed(String name) {
		return jdbc.sql("select count(*) from tenant_name where name = ?").param(name).query(Long.class).single() > 0;
	}

	public Optional<Tenant> findByName(String name) {
		return jdbc.sql("select * from tenant where name = ?").param(name).query(Tenants::map).optional();
	}

	public List<Tenant> findAll() {
		return jdbc.sql("select * from tenant order by name").query(Tenants::map).list();
	}

	/**
	 * Deletes the tenant (its keys, domains and routes with it), retires its name and asks for the
	 * teardown of what it left on its backend, in one statement: the name stays retired until the
	 * teardown has removed the objects that carry it. The first attempt waits {@code delay}, so that
	 * no replica still serves the tenant from a cache when it starts.
	 */
	boolean delete(UUID id, Duration delay) {
		return jdbc.sql("""
				with deleted as (delete from tenant where id = ? returning id, name, plan),
				retired as (update tenant_name set retired_at = now() where name in (select name from deleted))
				insert into teardown (tenant_id, name, requested_at, due_at, backend)
				select d.id, d.name, now(), now() + ? * interval '1 millisecond',
				       case when p.backend = 'proxmox'
				              or exists (select 1 from tenant_backend b where b.tenant_id = d.id and b.state <> 'gone')
				            then 'proxmox' else 'shared' end
				from deleted d join plan p on p.name = d.plan""")
			.params(id, delay.toMillis())
			.update() == 1;
	}

	/** A new tenant asked for the name of a deleted one. */
	static final class NameRetired extends RuntimeException {

		NameRetired(String name, boolean tearingDown) {
			super(tearingDown ? "the name '" + name + "' belonged to a deleted tenant whose objects are being removed; "
					+ "it is free again once that has finished (GET /api/v1/teardowns/" + name + ")"
					: "the name '" + name + "' belonged to a deleted tenant and is not given out again");
		}

	}

	private static Tenant map(ResultSet rs, int row) throws SQLException {
		return new Tenant(rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("email"),
				rs.getTimestamp("created_at").toInstant());
	}

}
