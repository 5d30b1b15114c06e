package berth.account;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/** Client certificates issued to tenants, in Postgres, by serial: no key is ever kept. Blocking. */
@Repository
class ClientCertificates {

	/** What authentication needs to know about a certificate; the tenant is joined in. */
	record Credential(String certificateId, TenantRef tenant, Instant notAfter, @Nullable Instant revokedAt) {
	}

	private final JdbcClient jdbc;

	ClientCertificates(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	ClientCertificate add(Tenant tenant, String serial, String description, Instant notAfter) {
		ClientCertificate certificate = new ClientCertificate(KeyFormat.randomId(), tenant.id(), description, serial,
				Instant.now(), notAfter, null, null);
		jdbc.sql("""
				insert into client_certificate (id, tenant_id, serial, description, created_at, not_after)
				values (?, ?, ?, ?, ?, ?)""")
			.params(certificate.id(), tenant.id(), serial, description, Timestamp.from(certificate.createdAt()),
					Timestamp.from(notAfter))
			.update();
		return certificate;
	}

	List<ClientCertificate> of(UUID tenantId) {
		return jdbc.sql("select * from client_certificate where tenant_id = ? order by created_at")
			.param(tenantId)
			.query(ClientCertificates::map)
			.list();
	}

	/** The serial of the certificate it revoked, if it was an active certificate of that tenant. */
	Optional<String> revoke(UUID tenantId, String id) {
		return jdbc.sql("""
				update client_certificate set revoked_at = ?
				where id = ? and tenant_id = ? and revoked_at is null returning serial""")
			.params(Timestamp.from(Instant.now()), id, tenantId)
			.query(String.class)
			.optional();
	}

	Optional<Credential> credential(String serial) {
		return jdbc.sql("""
				select c.id, c.not_after, c.revoked_at, t.id as tenant_id, t.name as tenant_name
				from client_certificate c join tenant t on t.id = c.tenant_id where c.serial = ?""")
			.param(serial)
			.query((rs, row) -> new Credential(rs.getString("id"),
					new TenantRef(rs.getObject("tenant_id", UUID.class), rs.getString("tenant_name")),
					rs.getTimestamp("not_after").toInstant(), instant(rs, "revoked_at")))
			.optional();
	}

	@Transactional
	void recordUse(Map<String, Instant> lastUse) {
		lastUse.forEach((id, at) -> jdbc.sql(
				"update client_certificate set last_used_at = ? where id = ? and (last_used_at is null or last_used_at < ?)")
			.params(Timestamp.from(at), id, Timestamp.from(at))
			.update());
	}

	private static ClientCertificate map(ResultSet rs, int row) throws SQLException {
		return new ClientCertificate(rs.getString("id"), rs.getObject("tenant_id", UUID.class), rs.getString("description"),
				rs.getString("serial"), rs.getTimestamp("created_at").toInstant(), rs.getTimestamp("not_after").toInstant(),
				instant(rs, "last_used_at"), instant(rs, "revoked_at"));
	}

	private static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
		Timestamp ts = rs.getTimestamp(column);
		return ts == null ? null : ts.toInstant();
	}

}
