package berth.signup;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The one-time links that signup emails carry, in Postgres so that any replica can follow them.
 * Only a token's SHA-256 is stored: the database alone cannot open a link. Blocking.
 */
@Repository
class SignupLinks {

	/** What a link was made for. */
	record Claimed(String email, String name) {
	}

	private static final SecureRandom RANDOM = new SecureRandom();

	private final JdbcClient jdbc;

	SignupLinks(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/** A new link's token: 256 random bits, URL-safe. */
	static String newToken() {
		byte[] bytes = new byte[32];
		RANDOM.nextBytes(bytes);
		return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
	}

	static byte[] hash(String token) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
		}
		catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
	}

	void add(String token, String email, String name, Instant expiresAt) {
		jdbc.sql("delete from signup_link where expires_at < now() - interval '1 day'").update();
		jdbc.sql("insert into signup_link (token_hash, email, name, created_at, expires_at) values (?, ?, ?, ?, ?)")
			.params(hash(token), email, name, Timestamp.from(Instant.now()), Timestamp.from(expiresAt))
			.update();
	}

	/** The link, if it is unused and unexpired; it stays so. */
	Optional<Claimed> find(String token) {
		return jdbc.sql("select email, name from signup_link where token_hash = ? and used_at is null and expires_at > now()")
			.param(hash(token))
			.query((rs, row) -> new Claimed(rs.getString("email"), rs.getString("name")))
			.optional();
	}

	/**
	 * Marks the link used if it is unused and unexpired, in one statement: of two clicks at once,
	 * one wins. The lookup is by hash, an index probe, so its time tells nothing about other tokens.
	 */
	Optional<Claimed> claim(String token) {
		return jdbc.sql("""
				update signup_link set used_at = now()
				where token_hash = ? and used_at is null and expires_at > now()
				returning email, name""")
			.param(hash(token))
			.query((rs, row) -> new Claimed(rs.getString("email"), rs.getString("name")))
			.optional();
	}

	/** Gives a claimed link back when its name turned out to be taken, so that another can be picked. */
	void release(String token) {
		jdbc.sql("update signup_link set used_at = null where token_hash = ?").param(hash(token)).update();
	}

}
