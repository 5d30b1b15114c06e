package berth.account;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

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

/**
 * Turns a presented API key into the tenant it belongs to, without a database hit per request: key
 * records are cached for at most {@code berth.auth.cache-ttl} (refreshed in the background at half
 * of it), so a revoked or expired key, or a deleted tenant's key, stops working within that time on
 * every instance, and at once on the instance that changed it. Database work runs off the event loop.
 *
 * <p>While the database is away, what was last known of a key is served for up to
 * {@code berth.auth.max-stale}: tenants whose keys were verified keep working, and keys refused before
 * the outage stay refused. A key never seen is refused with a 503 ({@link berth.outage.Unavailable}).
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

	/** Keys whose use waits to be written, at most: one per cached key. */
	private static final int MAX_PENDING_USES = 100_000;

	private final ApiKeys keys;

	private final Clock clock;

	private final Database database;

	private final LastKnown<String, Optional<ApiKeys.Credential>> credentials;

	private final Map<String, Instant> lastUse = new ConcurrentHashMap<>();

	@Autowired
	TenantAuthenticator(ApiKeys keys, AuthProperties properties, Database database) {
		this(keys, properties, database, Clock.systemUTC());
	}

	TenantAuthenticator(ApiKeys keys, AuthProperties properties, Database database, Clock clock) {
		this.keys = keys;
		this.clock = clock;
		this.database = database;
		this.credentials = new LastKnown<>("keys", database, properties.cacheTtl(), properties.maxStale(),
				keys::credential);
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
	void on(TenantDeleted event) {
		credentials.invalidateAll();
	}

	/**
	 * Writes "last used" times in one batch now and then, never per request. A batch the database
	 * does not take is kept for the next flush (the later time of a key wins), and none is tried while
	 * the database is known to be down, so an outage loses none of them; a crash loses what was not
	 * written yet.
	 */
	@Scheduled(fixedDelayString = "${berth.auth.last-used-flush:PT15S}")
	void flushLastUse() {
		if (lastUse.isEmpty() || database.isDown()) {
			return;
		}
		Map<String, Instant> batch = Map.copyOf(lastUse);
		batch.forEach(lastUse::remove);
		try {
			keys.recordUse(batch);
		}
		catch (RuntimeException e) {
			batch.forEach((keyId, at) -> {
				if (lastUse.size() < MAX_PENDING_USES) {
					lastUse.merge(keyId, at, (later, earlier) -> later.isAfter(earlier) ? later : earlier);
				}
			});
			log.warn("could not record key use for {} keys, kept for the next attempt: {}", batch.size(), e.getMessage());
		}
	}

	/** Keys whose last use is not written yet. */
	int pendingUses() {
		return lastUse.size();
	}

}
