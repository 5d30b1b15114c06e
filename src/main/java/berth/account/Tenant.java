package berth.account;

import java.time.Instant;
import java.util.UUID;
import java.util.regex.Pattern;

public record Tenant(UUID id, String name, String email, Instant createdAt) {

	/** A DNS label of 3 to 40 characters: lowercase letters, digits, inner hyphens. */
	static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{1,38}[a-z0-9]");

	static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s.]+(\\.[^@\\s.]+)+");

	public TenantRef ref() {
		return new TenantRef(id, name);
	}

	static boolean isValidName(String name) {
		return NAME.matcher(name).matches() && !name.contains("--");
	}

	static boolean isValidEmail(String email) {
		return email.length() <= 254 && EMAIL.matcher(email).matches();
	}

}
