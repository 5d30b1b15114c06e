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

/** API keys, in Postgres, stored as SHA-256 hashes of their secrets. Blocking. */
@Repository
class ApiKeys {

	/** What authentication needs to know about a key; the tenant is joined in. */
	record Credential(String keyId, TenantRef tenant, byte[] secretHash, @Nullable Instant expiresAt,
			@Nullable Instant revokedAt) {
	}

	/** A freshly issued key: the only moment its secret exists outside the client. */
	record Issued(ApiKey key, String secret) {
	}

	private final JdbcClient jdbc;

	ApiKeys(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	Issued issue(Tenant tenant, String description, @Nullable Instant expiresAt) {
		String id = KeyFormat.randomId();
		String secret = KeyFormat.randomSecret();
		ApiKey key = new ApiKey(id, tenant.id(), description, Instant.now(), null, expiresAt, null);
		jdbc.sql("""
				insert into api_key (id, tenant_id, secret_hash, description, created_at, expires_at)
				values (?, ?, ?, ?, ?, ?)""")
			.params(id, tenant.id(), KeyFormat.hash(secret), description, Timestamp.from(key.createdAt()),
					expiresAt == null ? null : Timestamp.from(expiresAt))
			.update();
		return new Issued(key, KeyFormat.compose(id, secret));
	}

	List<ApiKey> of(UUID tenantId) {
		return jdbc.sql("select * from api_key where tenant_id = ? order by created_at")
			.param(tenantId)
			.query(ApiKeys::map)
			.list();
	}

	boolean revoke(UUID tenantId, String keyId) {
		return jdbc.sql("update api_key set revoked_at = ? where id = ? and tenant_id = ? and revoked_at is null")
			.params(Timestamp.from(Instant.now()), keyId, tenantId)
			.update() == 1;
	}

	Optional<Credential> credential(String keyId) {
		return jdbc.sql("""
				select k.id, k.secret_hash, k.expires_at, k.revoked_at, t.id as tenant_id, t.name as tenant_name
				from api_key k join tenant t on t.id = k.tenant_id where k.id = ?""")
			.param(keyId)
			.query((rs, row) -> new Credential(rs.getString("id"),
					new TenantRef(rs.getObject("tenant_id", UUID.class), rs.getString("tenant_name")),
					rs.getBytes("secret_hash"), instant(rs, "expires_at"), instant(rs, "revoked_at")))
			.optional();
	}

	@Transactional
	void recordUse(Map<String, Instant> lastUse) {
		lastUse.forEach((id, at) -> jdbc
			.sql("update api_key set last_used_at = ? where id = ? and (last_used_at is null or last_used_at < ?)")
			.params(Timestamp.from(at), id, Timestamp.from(at))
			.update());
	}

	private static ApiKey map(ResultSet rs, int row) throws SQLException {
		return new ApiKey(rs.getString("id"), rs.getObject("tenant_id", UUID.class), rs.getString("description"),
				rs.getTimestamp("created_at").toInstant(), instant(rs, "last_used_at"), instant(rs, "expires_at"),
				instant(rs, "revoked_at"));
	}

	private static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
		Timestamp ts = rs.getTimestamp(column);
		return ts == null ? null : ts.toInstant();
	}

}
