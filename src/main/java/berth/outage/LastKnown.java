package berth.outage;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.micrometer.core.instrument.Counter;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A cache of what a {@link Dependency} said, for the request path, that keeps answering while the
 * dependency is away.
 * <ul>
 * <li>An answer younger than the time to live is served as it is, and refreshed in the background
 * once it is half that old, so an ordinary request never waits on the dependency.</li>
 * <li>An older one is loaded again before it is served, so a change (a revoked key, a new plan) takes
 * effect within the time to live. If that load fails because the dependency is away, the old answer is
 * served instead, until it is {@code maxStale} old; refusals are answers too (an unknown or revoked
 * key stays refused).</li>
 * <li>While the dependency is down, old answers are served at once and nothing is loaded (the
 * dependency's probe sees it return); a key never seen is refused with {@link Unavailable}.</li>
 * </ul>
 * Loads run on the given executor (the bounded elastic scheduler: they block), and a request waits
 * for one at most {@code wait}, so a dependency that hangs is an outage too. Loaders return non-null
 * values: absence is an answer ({@code Optional.empty()}) and is cached like the others.
 *
 * <p>Generic so that every lookup on the request path (keys, plans, domains, and later a client
 * certificate deny-list) keeps the same discipline.
 */
public final class LastKnown<K, V> {

	private record Entry<V>(V value, long loadedAt) {
	}

	private final String name;

	private final Dependency dependency;

	private final Function<K, V> loader;

	private final Executor executor;

	private final Ticker ticker;

	private final long ttl;

	private final long maxStale;

	private final Duration wait;

	private final Counter staleAnswers;

	private final Cache<K, Entry<V>> entries;

	private final ConcurrentHashMap<K, CompletableFuture<Entry<V>>> loading = new ConcurrentHashMap<>();

	/** Moves on with every invalidation: a load that began before one does not store what it read. */
	private final AtomicLong generation = new AtomicLong();

	/**
	 * A cache whose loads run on the bounded elastic scheduler and are waited for at most 3 s.
	 *
	 * @param name the {@code cache} tag of its stale answers
	 * @param ttl how long an answer is trusted while the dependency answers
	 * @param maxStale how long an answer is served at most while it does not
	 * @param loader reads one answer from the dependency; blocking
	 */
	public LastKnown(String name, Dependency dependency, Duration ttl, Duration maxStale, Function<K, V> loader) {
		this(name, dependency, ttl, maxStale, loader, task -> Schedulers.boundedElastic().schedule(task),
				Ticker.systemTicker(), Duration.ofSeconds(3));
	}

	LastKnown(String name, Dependency dependency, Duration ttl, Duration maxStale, Function<K, V> loader,
			Executor executor, Ticker ticker, Duration wait) {
		this.name = name;
		this.dependency = dependency;
		this.loader = loader;
		this.executor = executor;
		this.ticker = ticker;
		this.ttl = ttl.toNanos();
		this.maxStale = Math.max(maxStale.toNanos(), this.ttl);
		this.wait = wait;
		this.staleAnswers = dependency.staleAnswers(name);
		this.entries = Caffeine.newBuilder()
			.maximumSize(100_000)
			.expireAfterWrite(this.maxStale, TimeUnit.NANOSECONDS)
			.ticker(ticker)
			.build();
	}

	/** The answer for a key: cached, loaded, stale while the dependency is down, or {@link Unavailable}. */
	public Mono<V> get(K key) {
		Entry<V> entry = entries.getIfPresent(key);
		if (entry != null) {
			V now = answerNow(key, entry);
			if (now != null) {
				return Mono.just(now);
			}
		}
		else if (dependency.isDown()) {
			return Mono.error(dependency.unavailable());
		}
		return Mono.fromFuture(load(key).copy().orTimeout(wait.toNanos(), TimeUnit.NANOSECONDS), true)
			.map(Entry::value)
			.onErrorResume(failure -> {
				Throwable cause = Dependency.unwrap(failure);
				if (cause instanceof TimeoutException) {
					// the load goes on and may still answer; until it does, the dependency is away
					dependency.failed(cause);
				}
				else if (!dependency.isOutage(cause)) {
					return Mono.error(cause);
				}
				if (entry != null && usable(entry)) {
					stale();
					return Mono.just(entry.value());
				}
				return Mono.error(dependency.unavailable());
			});
	}

	/**
	 * The answer when it can be given without waiting (fresh, or stale while the dependency is down),
	 * else null: then only {@link #get} can answer. Lets code on an event loop skip the asynchronous path.
	 */
	public @Nullable V getNow(K key) {
		Entry<V> entry = entries.getIfPresent(key);
		return entry == null ? null : answerNow(key, entry);
	}

	public void invalidate(K key) {
		generation.incrementAndGet();
		entries.invalidate(key);
	}

	public void invalidateAll() {
		generation.incrementAndGet();
		entries.invalidateAll();
	}

	private @Nullable V answerNow(K key, Entry<V> entry) {
		long age = ticker.read() - entry.loadedAt();
		if (age < ttl) {
			if (age >= ttl / 2 && !dependency.isDown()) {
				load(key);
			}
			return entry.value();
		}
		if (dependency.isDown() && usable(entry)) {
			stale();
			return entry.value();
		}
		return null;
	}

	private boolean usable(Entry<V> entry) {
		return ticker.read() - entry.loadedAt() < maxStale;
	}

	private void stale() {
		staleAnswers.increment();
		dependency.servedStale(name);
	}

	/** One load per key at a time; what it reads is stored unless an invalidation came in between. */
	private CompletableFuture<Entry<V>> load(K key) {
		CompletableFuture<Entry<V>> started = new CompletableFuture<>();
		CompletableFuture<Entry<V>> running = loading.putIfAbsent(key, started);
		if (running != null) {
			return running;
		}
		long before = generation.get();
		try {
			executor.execute(() -> {
				try {
					Entry<V> loaded = new Entry<>(loader.apply(key), ticker.read());
					dependency.answered();
					if (generation.get() == before) {
						entries.put(key, loaded);
					}
					loading.remove(key, started);
					started.complete(loaded);
				}
				catch (RuntimeException | Error failure) {
					dependency.failed(failure);
					loading.remove(key, started);
					started.completeExceptionally(failure);
				}
			});
		}
		catch (RuntimeException rejected) {
			loading.remove(key, started);
			started.completeExceptionally(rejected);
		}
		return started;
	}

}
