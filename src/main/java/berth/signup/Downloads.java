package berth.signup;

import java.time.Duration;
import java.util.Optional;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * The two files of a fresh signup, each behind a one-time link. They hold a private key, so they are
 * kept in memory only, never written to the database, and dropped when fetched or when the link
 * expires. The page and its downloads must therefore reach the same instance (one replica, or
 * sticky sessions).
 */
final class Downloads {

	record File(String name, String contentType, byte[] content) {
	}

	private final Cache<String, File> files;

	Downloads(Duration validity) {
		this.files = Caffeine.newBuilder().expireAfterWrite(validity).maximumSize(10_000).build();
	}

	/** Keeps the file and answers the token of its link. */
	String add(File file) {
		String token = SignupLinks.newToken();
		files.put(hashed(token), file);
		return token;
	}

	/** The file, once. */
	Optional<File> take(String token) {
		return Optional.ofNullable(files.asMap().remove(hashed(token)));
	}

	private static String hashed(String token) {
		return java.util.HexFormat.of().formatHex(SignupLinks.hash(token));
	}

}
