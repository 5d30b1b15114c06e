package berth.routes;

import java.util.Locale;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * Where a host name lies relative to the platform domain, and which names a tenant may route.
 * A tenant routes anything under its own {@code <tenant>.<domain>} (keywords expand there), and custom
 * domains outside the platform domain that an operator registered for it. The apex, every
 * {@code <label>.<domain>} (tenants' Docker hosts, reserved names) and other tenants' subdomains are
 * never a tenant's to route.
 */
final class Hostnames {

	private static final Pattern LABEL = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?");

	/** Where a name lies. {@code label} is the label right in front of the domain, if any. */
	record Place(Kind kind, @Nullable String label) {
	}

	enum Kind {

		/** the platform domain itself */
		APEX,
		/** {@code <label>.<domain>}: a tenant's Docker host, a key in the Host, or a reserved name */
		PLATFORM_HOST,
		/** {@code *.<label>.<domain>}: the subdomain of tenant {@code label} (if there is one) */
		UNDER_TENANT,
		/** outside the platform domain: a custom domain */
		OUTSIDE

	}

	private final String domain;

	private final String suffix;

	Hostnames(String domain) {
		this.domain = domain.toLowerCase(Locale.ROOT);
		this.suffix = "." + this.domain;
	}

	String domain() {
		return domain;
	}

	/** The full host name of an entry: a keyword expands under the tenant's subdomain. */
	String expand(String tenant, HttpLabels.Entry entry) {
		return entry.isKeyword() ? entry.host() + "." + tenant + suffix : entry.host();
	}

	Place placeOf(String host) {
		if (host.equals(domain)) {
			return new Place(Kind.APEX, null);
		}
		if (!host.endsWith(suffix)) {
			return new Place(Kind.OUTSIDE, null);
		}
		String below = host.substring(0, host.length() - suffix.length());
		int dot = below.lastIndexOf('.');
		return dot < 0 ? new Place(Kind.PLATFORM_HOST, below) : new Place(Kind.UNDER_TENANT, below.substring(dot + 1));
	}

	boolean isOwnSubdomain(String tenant, String host) {
		Place place = placeOf(host);
		return place.kind() == Kind.UNDER_TENANT && tenant.equals(place.label());
	}

	/** A single DNS label: 1-63 lowercase letters, digits and inner hyphens. */
	static boolean isLabel(String candidate) {
		return LABEL.matcher(candidate).matches();
	}

	/** A DNS name of at least two labels, at most 253 characters, whose last label is not numeric. */
	static boolean isDomainName(String candidate) {
		if (candidate.length() > 253) {
			return false;
		}
		String[] labels = candidate.split("\\.", -1);
		if (labels.length < 2) {
			return false;
		}
		for (String label : labels) {
			if (!isLabel(label)) {
				return false;
			}
		}
		return !labels[labels.length - 1].chars().allMatch(Character::isDigit);
	}

}
