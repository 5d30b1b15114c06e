package berth.account;

import java.util.Set;

/** Labels under the platform domain that belong to the platform, never to a tenant. */
public final class ReservedNames {

	private static final Set<String> NAMES = Set.of("api", "www", "admin", "berth", "traefik", "signup", "status",
			"registry", "mail", "smtp", "ns1", "ns2", "docker", "dashboard", "metrics", "health");

	private ReservedNames() {
	}

	public static boolean contains(String name) {
		return NAMES.contains(name);
	}

}
