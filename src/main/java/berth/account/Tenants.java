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

	/** @throws org.springframework.dao.DuplicateKeyException when the name is taken */
	Tenant create(String name, String email) {
		Tenant tenant = new Tenant(UUID.randomUUID(), name, email, Instant.now());
		jdbc.sql("insert into tenant (id, name, email, created_at) values (?, ?, ?, ?)")
			.params(tenant.id(), tenant.name(), tenant.email(), Timestamp.from(tenant.createdAt()))
			.update();
		return tenant;
	}

	public Optional<Tenant> findByName(String name) {
		return jdbc.sql("select * from tenant where name = ?").param(name).query(Tenants::map).optional();
	}

	public List<Tenant> findAll() {
		return jdbc.sql("select * from tenant order by name").query(Tenants::map).list();
	}

	boolean delete(UUID id) {
		return jdbc.sql("delete from tenant where id = ?").param(id).update() == 1;
	}

	private static Tenant map(ResultSet rs, int row) throws SQLException {
		return new Tenant(rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("email"),
				rs.getTimestamp("created_at").toInstant());
	}

}
