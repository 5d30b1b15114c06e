package berth.account;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
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

/**
 * Turns a presented API key into the tenant it belongs to, without a database hit per request: key
 * records are cached for at most {@code berth.auth.cache-ttl} (refreshed in the background at half
 * of it), so a revoked or expired key, or a deleted tenant's key, stops working within that time on
 * every instance, and at once on the instance that changed it. Database work runs off the event loop.
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

	private final ApiKeys keys;

	private final Clock clock;

	private final AsyncLoadingCache<String, Optional<ApiKeys.Credential>> credentials;

	private final Map<String, Instant> lastUse = new ConcurrentHashMap<>();

	@Autowired
	TenantAuthenticator(ApiKeys keys, AuthProperties properties) {
		this(keys, properties, Clock.systemUTC());
	}

	TenantAuthenticator(ApiKeys keys, AuthProperties properties, Clock clock) {
		this.keys = keys;
		this.clock = clock;
		Duration ttl = properties.cacheTtl();
		this.credentials = Caffeine.newBuilder()
			.maximumSize(100_000)
			.expireAfterWrite(ttl)
			.refreshAfterWrite(ttl.dividedBy(2))
			.executor(task -> Schedulers.boundedElastic().schedule(task))
			.buildAsync(keys::credential);
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
	void on(TenantDeleted event) {
		credentials.synchronous().invalidateAll();
	}

	/** Writes "last used" times in one batch now and then, never per request. */
	@Scheduled(fixedDelayString = "${berth.auth.last-used-flush:PT15S}")
	void flushLastUse() {
		if (lastUse.isEmpty()) {
			return;
		}
		Map<String, Instant> batch = Map.copyOf(lastUse);
		batch.forEach(lastUse::remove);
		try {
			keys.recordUse(batch);
		}
		catch (RuntimeException e) {
			log.warn("could not record key use for {} keys: {}", batch.size(), e.getMessage());
		}
	}

}
