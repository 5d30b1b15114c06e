package berth.outage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessResourceFailureException;

/**
 * The stale-serving cache against a dependency the test switches on and off, on a clock the test
 * moves: what is served, what is loaded, and what is refused, before, during and after an outage.
 */
class LastKnownTest {

	static final Duration TTL = Duration.ofSeconds(4);

	static final Duration MAX_STALE = Duration.ofMinutes(15);

	/** A dependency whose availability the test decides, and whose probe asks the same switch. */
	static final class Switchable extends Dependency {

		volatile boolean away;

		Switchable() {
			super("store", "the store is unavailable, try again shortly", Duration.ofSeconds(5), new SimpleMeterRegistry(),
					Clock.systemUTC());
		}

		@Override
		protected boolean isOutage(Throwable failure) {
			return failure instanceof DataAccessResourceFailureException;
		}

		@Override
		protected void check() {
			if (away) {
				throw new DataAccessResourceFailureException("away");
			}
		}

	}

	final Switchable store = new Switchable();

	final AtomicLong nanos = new AtomicLong(1);

	final Map<String, String> data = new ConcurrentHashMap<>(Map.of("a", "alpha", "b", "beta"));

	final AtomicInteger loads = new AtomicInteger();

	final Executor direct = Runnable::run;

	final LastKnown<String, String> cache = new LastKnown<>("letters", store, TTL, MAX_STALE, this::load, direct,
			nanos::get, Duration.ofSeconds(1));

	private String load(String key) {
		loads.incrementAndGet();
		if (store.away) {
			throw new DataAccessResourceFailureException("connection refused");
		}
		String value = data.get(key);
		if (value == null) {
			throw new IllegalStateException("no " + key);
		}
		return value;
	}

	private void advance(Duration by) {
		nanos.addAndGet(by.toNanos());
	}

	@Test
	void freshAnswersAreServedWithoutAskingAndOldOnesAreAskedAgain() {
		assertThat(cache.get("a").block()).isEqualTo("alpha");
		data.put("a", "changed");
		advance(Duration.ofSeconds(1));
		assertThat(cache.getNow("a")).isEqualTo("alpha");
		assertThat(cache.get("a").block()).isEqualTo("alpha");
		assertThat(loads).hasValue(1);

		advance(Duration.ofSeconds(4));
		assertThat(cache.getNow("a")).as("older than the time to live, with the store up: only a load answers").isNull();
		assertThat(cache.get("a").block()).isEqualTo("changed");
		assertThat(loads).hasValue(2);
	}

	@Test
	void halfwayThroughItsTimeToLiveAnAnswerIsRefreshedInTheBackground() {
		cache.get("a").block();
		data.put("a", "changed");
		advance(Duration.ofSeconds(3));
		assertThat(cache.getNow("a")).as("served at once, refreshed behind it").isEqualTo("alpha");
		assertThat(cache.getNow("a")).isEqualTo("changed");
	}

	@Test
	void whileTheStoreIsAwayWhatWasKnownIsServedAndNothingIsAsked() {
		cache.get("a").block();
		store.away = true;
		advance(Duration.ofMinutes(1));
		assertThat(cache.get("a").block()).as("the load fails: the last answer is served").isEqualTo("alpha");
		assertThat(store.isDown()).isTrue();
		int loadsWhenDown = loads.get();

		assertThat(cache.getNow("a")).isEqualTo("alpha");
		assertThat(cache.get("a").block()).isEqualTo("alpha");
		assertThat(loads).as("no load while down: only the probe asks").hasValue(loadsWhenDown);
		assertThat(store.servingStaleFor()).isGreaterThanOrEqualTo(Duration.ZERO);

		assertThatThrownBy(() -> cache.get("b").block()).as("never known")
			.isInstanceOf(Unavailable.class)
			.hasMessage("berth: the store is unavailable, try again shortly");
		assertThat(loads).hasValue(loadsWhenDown);
	}

	@Test
	void staleAnswersEndAtMaxStale() {
		cache.get("a").block();
		store.away = true;
		advance(MAX_STALE.minusSeconds(1));
		assertThat(cache.get("a").block()).isEqualTo("alpha");
		advance(Duration.ofSeconds(2));
		assertThat(cache.getNow("a")).isNull();
		assertThatThrownBy(() -> cache.get("a").block()).isInstanceOf(Unavailable.class);
	}

	@Test
	void refusalsAreAnswersAndStayRefusalsDuringAnOutage() {
		LastKnown<String, java.util.Optional<String>> optional = new LastKnown<>("optional", store, TTL, MAX_STALE,
				key -> {
					if (store.away) {
						throw new DataAccessResourceFailureException("away");
					}
					return java.util.Optional.ofNullable(data.get(key));
				}, direct, nanos::get, Duration.ofSeconds(1));
		assertThat(optional.get("gone").block()).isEmpty();
		store.away = true;
		advance(Duration.ofMinutes(5));
		assertThat(optional.get("gone").block()).as("what was refused before the outage").isEmpty();
	}

	@Test
	void theProbeSeesTheReturnAndChangesMadeMeanwhileApplyAtOnce() {
		cache.get("a").block();
		store.away = true;
		advance(Duration.ofMinutes(1));
		assertThat(cache.get("a").block()).isEqualTo("alpha");
		data.put("a", "changed meanwhile");

		store.probe();
		assertThat(store.isDown()).as("still away").isTrue();
		store.away = false;
		store.probe();
		assertThat(store.isDown()).isFalse();
		assertThat(store.servingStaleFor()).isZero();
		assertThat(cache.getNow("a")).as("the old answer is not served once the store is back").isNull();
		assertThat(cache.get("a").block()).isEqualTo("changed meanwhile");
		assertThat(cache.get("b").block()).isEqualTo("beta");
	}

	@Test
	void otherFailuresAreNotAnOutage() {
		assertThatThrownBy(() -> cache.get("missing").block()).isInstanceOf(IllegalStateException.class);
		assertThat(store.isDown()).isFalse();
	}

	@Test
	void aStoreThatDoesNotAnswerInTimeIsAway() throws Exception {
		CountDownLatch release = new CountDownLatch(1);
		AtomicInteger calls = new AtomicInteger();
		LastKnown<String, String> hanging = new LastKnown<>("hanging", store, TTL, MAX_STALE, key -> {
			if (calls.incrementAndGet() > 1) {
				try {
					release.await();
				}
				catch (InterruptedException e) {
					Thread.currentThread().interrupt();
				}
			}
			return "v" + calls.get();
		}, task -> Thread.ofVirtual().start(task), nanos::get, Duration.ofMillis(200));
		assertThat(hanging.get("k").block()).isEqualTo("v1");
		advance(Duration.ofMinutes(1));
		assertThat(hanging.get("k").block()).as("the load hangs: the last answer after the wait").isEqualTo("v1");
		assertThat(store.isDown()).isTrue();
		assertThatThrownBy(() -> hanging.get("other").block()).isInstanceOf(Unavailable.class);
		release.countDown();
	}

	@Test
	void aLoadThatBeganBeforeAnInvalidationDoesNotStoreWhatItRead() {
		CountDownLatch loading = new CountDownLatch(1);
		CountDownLatch invalidated = new CountDownLatch(1);
		AtomicInteger calls = new AtomicInteger();
		LastKnown<String, String> racing = new LastKnown<>("racing", store, TTL, MAX_STALE, key -> {
			int call = calls.incrementAndGet();
			if (call == 1) {
				loading.countDown();
				try {
					invalidated.await();
				}
				catch (InterruptedException e) {
					Thread.currentThread().interrupt();
				}
				return "before";
			}
			return "after";
		}, task -> Thread.ofVirtual().start(task), nanos::get, Duration.ofSeconds(5));
		var first = racing.get("k").toFuture();
		try {
			loading.await();
		}
		catch (InterruptedException e) {
			throw new AssertionError(e);
		}
		racing.invalidate("k");
		invalidated.countDown();
		assertThat(first.join()).isEqualTo("before");
		assertThat(racing.get("k").block()).isEqualTo("after");
	}

}
