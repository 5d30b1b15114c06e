package berth.account;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.event.EventListener;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

import berth.outage.Database;
import berth.outage.LastKnown;
import berth.tls.CertificateAuthority;

/**
 * Turns a presented API key, or a verified client certificate, into the tenant it belongs to, without
 * a database hit per request: key and certificate records are cached for at most
 * {@code berth.auth.cache-ttl} (refreshed in the background at half of it), so a revoked or expired
 * key or certificate, or a deleted tenant's, stops working within that time on every instance, and at
 * once on the instance that changed it. Database work runs off the event loop.
 *
 * <p>While the database is away, what was last known of a key or certificate is served for up to
 * {@code berth.auth.max-stale}: tenants whose credentials were verified keep working, and those refused
 * before the outage (revoked serials included) stay refused. A credential never seen is refused with a
 * 503 ({@link berth.outage.Unavailable}).
 */
@Component
public class TenantAuthenticator {

	public sealed interface Result {

		record Accepted(TenantRef tenant, String keyId) implements Result {
		}

		record Refused(String reason) implements Result {
		}

	}

	private static final Logger log = LoggerFactory.getLogger(TenantAuthenticator.class);

	/** Keys (or certificates) whose use waits to be written, at most: one per cached record. */
	private static final int MAX_PENDING_USES = 100_000;

	private final ApiKeys keys;

	private final Clock clock;

	private final Database database;

	private final LastKnown<String, Optional<ApiKeys.Credential>> credentials;

	private final Map<String, Instant> lastUse = new ConcurrentHashMap<>();

	private final ClientCertificates certificates;

	/** Certificate records by serial: the deny-list of revoked serials is this cache's view of them. */
	private final LastKnown<String, Optional<ClientCertificates.Credential>> certificateCredentials;

	private final Map<String, Instant> certificateLastUse = new ConcurrentHashMap<>();

	@Autowired
	TenantAuthenticator(ApiKeys keys, ClientCertificates certificates, AuthProperties properties, Database database) {
		this(keys, certificates, properties, database, Clock.systemUTC());
	}

	TenantAuthenticator(ApiKeys keys, ClientCertificates certificates, AuthProperties properties, Database database,
			Clock clock) {
		this.keys = keys;
		this.certificates = certificates;
		this.clock = clock;
		this.database = database;
		this.credentials = new LastKnown<>("keys", database, properties.cacheTtl(), properties.maxStale(),
				keys::credential);
		this.certificateCredentials = new LastKnown<>("certificates", database, properties.cacheTtl(),
				properties.maxStale(), certificates::credential);
	}

	/**
	 * The tenant of a client certificate that the TLS handshake has verified against Berth's CA: its
	 * serial must be one Berth issued, to the tenant the certificate names, not revoked nor expired.
	 */
	public Mono<Result> authenticate(X509Certificate certificate) {
		return certificateCredentials.get(CertificateAuthority.serialOf(certificate))
			.map(found -> verify(certificate, found));
	}

	/** As {@link #authenticate(X509Certificate)} when the record is at hand, else null. */
	public @Nullable Result authenticateNow(X509Certificate certificate) {
		Optional<ClientCertificates.Credential> known = certificateCredentials
			.getNow(CertificateAuthority.serialOf(certificate));
		return known == null ? null : verify(certificate, known);
	}

	private Result verify(X509Certificate certificate, Optional<ClientCertificates.Credential> found) {
		if (found.isEmpty() || !found.get().tenant().name().equals(commonName(certificate))) {
			return new Result.Refused("unknown");
		}
		ClientCertificates.Credential credential = found.get();
		Instant now = clock.instant();
		if (credential.revokedAt() != null) {
			return new Result.Refused("revoked");
		}
		if (!now.isBefore(credential.notAfter()) || !now.isBefore(certificate.getNotAfter().toInstant())) {
			return new Result.Refused("expired");
		}
		certificateLastUse.put(credential.certificateId(), now);
		return new Result.Accepted(credential.tenant(), credential.certificateId());
	}

	private static @Nullable String commonName(X509Certificate certificate) {
		try {
			for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
				if (rdn.getType().equalsIgnoreCase("CN")) {
					return rdn.getValue().toString();
				}
			}
			return null;
		}
		catch (InvalidNameException e) {
			return null;
		}
	}

	public Mono<Result> authenticate(String presented) {
		Optional<KeyFormat.Parsed> parsed = KeyFormat.parse(presented);
		if (parsed.isEmpty()) {
			return Mono.just(new Result.Refused("malformed"));
		}
		KeyFormat.Parsed key = parsed.get();
		return credentials.get(key.id()).map(found -> verify(key, found));
	}

	/**
	 * The answer for a key whose record is at hand (loaded and cached), else null: then only
	 * {@link #authenticate} can answer. Lets code on an event loop skip the asynchronous path.
	 */
	public @Nullable Result authenticateNow(String presented) {
		Optional<KeyFormat.Parsed> parsed = KeyFormat.parse(presented);
		if (parsed.isEmpty()) {
			return new Result.Refused("malformed");
		}
		KeyFormat.Parsed key = parsed.get();
		Optional<ApiKeys.Credential> known = credentials.getNow(key.id());
		return known == null ? null : verify(key, known);
	}

	private Result verify(KeyFormat.Parsed key, Optional<ApiKeys.Credential> found) {
		if (found.isEmpty() || !KeyFormat.matches(key.secret(), found.get().secretHash())) {
			return new Result.Refused("unknown");
		}
		ApiKeys.Credential credential = found.get();
		Instant now = clock.instant();
		if (credential.revokedAt() != null) {
			return new Result.Refused("revoked");
		}
		if (credential.expiresAt() != null && !now.isBefore(credential.expiresAt())) {
			return new Result.Refused("expired");
		}
		lastUse.put(credential.keyId(), now);
		return new Result.Accepted(credential.tenant(), credential.keyId());
	}

	@EventListener
	void on(ApiKeyRevoked event) {
		credentials.invalidate(event.keyId());
	}

	@EventListener
	void on(CertificateRevoked event) {
		certificateCredentials.invalidate(event.serial());
	}

	@EventListener
	void on(TenantDeleted event) {
		credentials.invalidateAll();
		certificateCredentials.invalidateAll();
	}

	/**
	 * Writes "last used" times in one batch now and then, never per request. A batch the database
	 * does not take is kept for the next flush (the later time of a key wins), and none is tried while
	 * the database is known to be down, so an outage loses none of them; a crash loses what was not
	 * written yet.
	 */
	@Scheduled(fixedDelayString = "${berth.auth.last-used-flush:PT15S}")
	void flushLastUse() {
		if (database.isDown()) {
			return;
		}
		flush(lastUse, keys::recordUse, "keys");
		flush(certificateLastUse, certificates::recordUse, "client certificates");
	}

	private static void flush(Map<String, Instant> uses, Consumer<Map<String, Instant>> record, String what) {
		if (uses.isEmpty()) {
			return;
		}
		Map<String, Instant> batch = Map.copyOf(uses);
		batch.forEach(uses::remove);
		try {
			record.accept(batch);
		}
		catch (RuntimeException e) {
			batch.forEach((id, at) -> {
				if (uses.size() < MAX_PENDING_USES) {
					uses.merge(id, at, (later, earlier) -> later.isAfter(earlier) ? later : earlier);
				}
			});
			log.warn("could not record the use of {} {}, kept for the next attempt: {}", batch.size(), what,
					e.getMessage());
		}
	}

	/** Keys whose last use is not written yet. */
	int pendingUses() {
		return lastUse.size();
	}

}
