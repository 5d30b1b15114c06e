package berth.account;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

import com.github.benmanes.caffeine.cache.Caffeine;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.event.EventListener;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import berth.tls.CertificateAuthority;

/**
 * Turns a presented API key, or a verified client certificate, into the tenant it belongs to, without
 * a database hit per request: key and certificate records are cached for at most
 * {@code berth.auth.cache-ttl} (refreshed in the background at half of it), so a revoked or expired
 * key or certificate, or a deleted tenant's, stops working within that time on every instance, and at
 * once on the instance that changed it. Database work runs off the event loop.
 */
@Component
public class TenantAuthenticator {

	public sealed interface Result {

		/** {@code credentialId} is the key's id, or the certificate's. */
		record Accepted(TenantRef tenant, String credentialId) implements Result {
		}

		record Refused(String reason) implements Result {
		}

	}

	private static final Logger log = LoggerFactory.getLogger(TenantAuthenticator.class);

	private final ApiKeys keys;

	private final Clock clock;

	private final AsyncLoadingCache<String, Optional<ApiKeys.Credential>> credentials;

	private final Map<String, Instant> lastUse = new ConcurrentHashMap<>();

	private final ClientCertificates certificates;

	/** Certificate records by serial: the deny-list of revoked serials is this cache's view of them. */
	private final AsyncLoadingCache<String, Optional<ClientCertificates.Credential>> certificateCredentials;

	private final Map<String, Instant> certificateLastUse = new ConcurrentHashMap<>();

	@Autowired
	TenantAuthenticator(ApiKeys keys, ClientCertificates certificates, AuthProperties properties) {
		this(keys, certificates, properties, Clock.systemUTC());
	}

	TenantAuthenticator(ApiKeys keys, ClientCertificates certificates, AuthProperties properties, Clock clock) {
		this.keys = keys;
		this.certificates = certificates;
		this.clock = clock;
		Duration ttl = properties.cacheTtl();
		this.credentials = Caffeine.newBuilder()
			.maximumSize(100_000)
			.expireAfterWrite(ttl)
			.refreshAfterWrite(ttl.dividedBy(2))
			.executor(task -> Schedulers.boundedElastic().schedule(task))
			.buildAsync(keys::credential);
		this.certificateCredentials = Caffeine.newBuilder()
			.maximumSize(100_000)
			.expireAfterWrite(ttl)
			.refreshAfterWrite(ttl.dividedBy(2))
			.executor(task -> Schedulers.boundedElastic().schedule(task))
			.buildAsync(certificates::credential);
	}

	/**
	 * The tenant of a client certificate that the TLS handshake has verified against Berth's CA: its
	 * serial must be one Berth issued, to the tenant the certificate names, not revoked nor expired.
	 */
	public Mono<Result> authenticate(X509Certificate certificate) {
		return Mono.fromFuture(certificateCredentials.get(CertificateAuthority.serialOf(certificate)), true)
			.map(found -> verify(certificate, found));
	}

	/** As {@link #authenticate(X509Certificate)} when the record is at hand, else null. */
	public @Nullable Result authenticateNow(X509Certificate certificate) {
		CompletableFuture<Optional<ClientCertificates.Credential>> cached = certificateCredentials
			.getIfPresent(CertificateAuthority.serialOf(certificate));
		if (cached == null || !cached.isDone() || cached.isCompletedExceptionally()) {
			return null;
		}
		return verify(certificate, cached.join());
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
		return Mono.fromFuture(credentials.get(key.id()), true).map(found -> verify(key, found));
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
		CompletableFuture<Optional<ApiKeys.Credential>> cached = credentials.getIfPresent(key.id());
		if (cached == null || !cached.isDone() || cached.isCompletedExceptionally()) {
			return null;
		}
		return verify(key, cached.join());
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
		credentials.synchronous().invalidate(event.keyId());
	}

	@EventListener
	void on(CertificateRevoked event) {
		certificateCredentials.synchronous().invalidate(event.serial());
	}

	@EventListener
	void on(TenantDeleted event) {
		credentials.synchronous().invalidateAll();
		certificateCredentials.synchronous().invalidateAll();
	}

	/** Writes "last used" times in one batch now and then, never per request. */
	@Scheduled(fixedDelayString = "${berth.auth.last-used-flush:PT15S}")
	void flushLastUse() {
		flush(lastUse, keys::recordUse, "keys");
		flush(certificateLastUse, certificates::recordUse, "client certificates");
	}

	private static void flush(Map<String, Instant> uses, Consumer<Map<String, Instant>> record,
			String what) {
		if (uses.isEmpty()) {
			return;
		}
		Map<String, Instant> batch = Map.copyOf(uses);
		batch.forEach(uses::remove);
		try {
			record.accept(batch);
		}
		catch (RuntimeException e) {
			log.warn("could not record the use of {} {}: {}", batch.size(), what, e.getMessage());
		}
	}

}
