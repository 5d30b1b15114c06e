package berth.account;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.support.TransactionTemplate;

import berth.PlatformProperties;

/**
 * A tenant made in one step, for people who sign themselves up: the tenant (on the default plan,
 * like one the admin API makes), an API key and a client certificate with its two bundles. The
 * names follow the admin API's rules. Blocking: callers keep it off event loops.
 */
@Service
public class Enrolments {

	/** Everything the new tenant is shown once: its secrets exist nowhere else after this. */
	public record Enrolment(String tenant, String dockerHost, String keyDockerHost, String key, byte[] dockerContext,
			byte[] certificateZip, String certificateZipName, String caFingerprint, Instant certificateNotAfter) {
	}

	/** The name was taken (or retired) between the form and the link. */
	public static final class NameUnavailable extends RuntimeException {

		NameUnavailable(String name) {
			super("the name '" + name + "' is no longer available");
		}

	}

	private final Tenants tenants;

	private final ApiKeys keys;

	private final CertificateIssuer issuer;

	private final ApplicationEventPublisher events;

	private final PlatformProperties platform;

	private final TransactionTemplate transaction;

	Enrolments(Tenants tenants, ApiKeys keys, CertificateIssuer issuer, ApplicationEventPublisher events,
			PlatformProperties platform, TransactionTemplate transaction) {
		this.tenants = tenants;
		this.keys = keys;
		this.issuer = issuer;
		this.events = events;
		this.platform = platform;
		this.transaction = transaction;
	}

	/**
	 * What is wrong with a wanted tenant name by the admin API's rules, or empty when nothing is.
	 * Availability is not part of it: that would tell strangers which tenants exist.
	 */
	public static Optional<String> nameProblem(@Nullable String name) {
		if (name == null || !Tenant.isValidName(name)) {
			return Optional.of("a name is 3 to 40 characters: lowercase letters, digits and inner hyphens");
		}
		if (ReservedNames.contains(name)) {
			return Optional.of("'" + name + "' is reserved by the platform");
		}
		return Optional.empty();
	}

	public static boolean isValidEmail(@Nullable String email) {
		return email != null && Tenant.isValidEmail(email);
	}

	/**
	 * Creates the tenant with its key and certificate in one transaction, so that a failure to issue
	 * leaves no half-made tenant behind.
	 *
	 * @throws NameUnavailable when a tenant has (or had) the name
	 */
	public Enrolment enroll(String name, String email) {
		Made made = transaction.execute(status -> {
			Tenant tenant = create(status, name, email);
			ApiKeys.Issued key = keys.issue(tenant, "signup", null);
			return new Made(tenant, key, issuer.issue(tenant, null, null, "signup"));
		});
		Tenant tenant = made.tenant();
		CertificateBundles.Contents contents = made.certificate();
		events.publishEvent(new TenantCreated(tenant.ref()));
		return new Enrolment(tenant.name(), contents.dockerHost(), platform.dockerHostOf(tenant.name()),
				made.key().secret(), CertificateBundles.dockerContext(contents), CertificateBundles.zip(contents),
				"berth-" + tenant.name() + "-" + contents.certificateId() + ".zip", fingerprint(contents.issued().caPem()),
				contents.issued().notAfter());
	}

	/** What the transaction made. */
	private record Made(Tenant tenant, ApiKeys.Issued key, CertificateBundles.Contents certificate) {
	}

	/**
	 * Claims the name inside the transaction. A name claimed by someone else fails the insert, and
	 * Postgres then refuses every later statement of the transaction (the one that tells a retired
	 * name from a live one included): back to a savepoint, and ask again.
	 */
	private Tenant create(TransactionStatus status, String name, String email) {
		if (tenants.nameClaimed(name)) {
			throw new NameUnavailable(name);
		}
		Object savepoint = status.createSavepoint();
		try {
			return tenants.create(name, email);
		}
		catch (DataAccessException | Tenants.NameRetired failed) {
			status.rollbackToSavepoint(savepoint);
			if (tenants.nameClaimed(name)) {
				throw new NameUnavailable(name);
			}
			throw failed;
		}
	}

	/** The SHA-256 fingerprint of a PEM certificate, colon-separated as browsers and openssl print it. */
	static String fingerprint(String pem) {
		try {
			var certificate = CertificateFactory.getInstance("X.509")
				.generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
			return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
		}
		catch (GeneralSecurityException e) {
			throw new IllegalStateException("the CA certificate cannot be read", e);
		}
	}

}
