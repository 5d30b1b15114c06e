package berth.tls;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The CA that Berth made itself, in Postgres where every replica finds it: the certificate in PEM,
 * the private key encrypted with AES-256-GCM under a key derived from the key-encryption secret, with
 * the certificate as associated data (a key cannot be swapped under another certificate). There is
 * one row at most: the first replica to insert it wins, the others read the winner's. Blocking.
 */
@Repository
class CaStore {

	/** A CA as kept: the certificate, and its private key still encrypted. */
	record Stored(String certificatePem, byte[] encryptedKey) {
	}

	private static final SecureRandom RANDOM = new SecureRandom();

	private static final int NONCE_BYTES = 12;

	private final JdbcClient jdbc;

	CaStore(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	Optional<Stored> load() {
		return jdbc.sql("select certificate, encrypted_key from certificate_authority where id = 1")
			.query((rs, row) -> new Stored(rs.getString("certificate"), rs.getBytes("encrypted_key")))
			.optional();
	}

	/** Keeps this CA unless another one is kept already; either way, answers the one that is kept. */
	Stored insertIfAbsent(Stored candidate) {
		jdbc.sql("""
				insert into certificate_authority (id, certificate, encrypted_key, created_at)
				values (1, ?, ?, ?) on conflict (id) do nothing""")
			.params(candidate.certificatePem(), candidate.encryptedKey(), Timestamp.from(Instant.now()))
			.update();
		return load().orElseThrow(() -> new IllegalStateException("the CA row vanished right after its insert"));
	}

	static byte[] encrypt(PrivateKey key, X509Certificate certificate, byte[] kek) {
		try {
			byte[] nonce = new byte[NONCE_BYTES];
			RANDOM.nextBytes(nonce);
			Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
			cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(kek, "AES"), new GCMParameterSpec(128, nonce));
			cipher.updateAAD(certificate.getEncoded());
			byte[] sealed = cipher.doFinal(key.getEncoded());
			return ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array();
		}
		catch (GeneralSecurityException e) {
			throw new IllegalStateException("could not encrypt the CA key", e);
		}
	}

	/** The PKCS#8 encoding of the key; fails when the secret is not the one it was encrypted under. */
	static byte[] decrypt(byte[] stored, X509Certificate certificate, byte[] kek) {
		try {
			Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
			cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(kek, "AES"),
					new GCMParameterSpec(128, stored, 0, NONCE_BYTES));
			cipher.updateAAD(certificate.getEncoded());
			return cipher.doFinal(stored, NONCE_BYTES, stored.length - NONCE_BYTES);
		}
		catch (GeneralSecurityException e) {
			throw new IllegalStateException("the CA key in the database cannot be decrypted with the configured "
					+ "key-encryption secret (berth.pki.key-encryption-secret, or the admin token it was derived from)", e);
		}
	}

	/** An AES-256 key from the secret (HMAC-SHA256 as a one-block HKDF with a fixed label). */
	static byte[] keyEncryptionKey(String secret) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
			return mac.doFinal("berth pki: CA key encryption, v1".getBytes(StandardCharsets.UTF_8));
		}
		catch (GeneralSecurityException e) {
			throw new IllegalStateException(e);
		}
	}

}
