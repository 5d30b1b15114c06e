package berth.account;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Optional;

/**
 * The shape of Berth API keys: {@code bk} + a 10-character public id + a 32-character secret, all in
 * lowercase base32, 44 characters. That is a valid DNS label (so the key can be the first label of
 * DOCKER_HOST) and longer than any tenant name, so neither is ever mistaken for the other. The secret
 * carries 160 random bits; the database keeps only its SHA-256, which is enough for a secret of that
 * entropy (no password stretching needed).
 */
public final class KeyFormat {

	static final String PREFIX = "bk";

	static final int ID_LENGTH = 10;

	static final int SECRET_LENGTH = 32;

	private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

	private static final int LENGTH = PREFIX.length() + ID_LENGTH + SECRET_LENGTH;

	/** Cloned for every hash: looking the algorithm up costs more than hashing a secret. */
	private static final MessageDigest SHA_256 = sha256();

	private static final SecureRandom RANDOM = new SecureRandom();

	private KeyFormat() {
	}

	/** A key split into the part used to find it and the part that proves it. */
	record Parsed(String id, String secret) {
	}

	/** {@code bk} and 42 characters of lowercase base32 ({@code a-z}, {@code 2-7}). */
	public static boolean looksLikeKey(String candidate) {
		if (candidate.length() != LENGTH || !candidate.startsWith(PREFIX)) {
			return false;
		}
		for (int i = PREFIX.length(); i < LENGTH; i++) {
			char c = candidate.charAt(i);
			if (!(c >= 'a' && c <= 'z') && !(c >= '2' && c <= '7')) {
				return false;
			}
		}
		return true;
	}

	static Optional<Parsed> parse(String candidate) {
		if (!looksLikeKey(candidate)) {
			return Optional.empty();
		}
		int idEnd = PREFIX.length() + ID_LENGTH;
		return Optional.of(new Parsed(candidate.substring(PREFIX.length(), idEnd), candidate.substring(idEnd)));
	}

	static String randomId() {
		return random(ID_LENGTH);
	}

	static String randomSecret() {
		return random(SECRET_LENGTH);
	}

	static String compose(String id, String secret) {
		return PREFIX + id + secret;
	}

	static byte[] hash(String secret) {
		MessageDigest digest;
		try {
			digest = (MessageDigest) SHA_256.clone();
		}
		catch (CloneNotSupportedException e) {
			digest = sha256();
		}
		return digest.digest(secret.getBytes(StandardCharsets.US_ASCII));
	}

	private static MessageDigest sha256() {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException("SHA-256 is part of every JDK", e);
		}
	}

	/** Constant-time comparison of a presented secret with a stored hash. */
	static boolean matches(String secret, byte[] storedHash) {
		return MessageDigest.isEqual(hash(secret), storedHash);
	}

	private static String random(int length) {
		char[] out = new char[length];
		for (int i = 0; i < length; i++) {
			out[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
		}
		return new String(out);
	}

}
