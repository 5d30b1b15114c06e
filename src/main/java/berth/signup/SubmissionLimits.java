package berth.signup;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * Submissions per client address and per email in a sliding window. The counts live in this
 * instance's memory: with several replicas behind a balancer each counts its own share, so the limit
 * is per replica.
 */
final class SubmissionLimits {

	private final int limit;

	private final Duration window;

	private final Clock clock;

	private final Cache<String, Deque<Instant>> seen;

	SubmissionLimits(int limit, Duration window, Clock clock) {
		this.limit = limit;
		this.window = window;
		this.clock = clock;
		this.seen = Caffeine.newBuilder().expireAfterAccess(window).maximumSize(100_000).build();
	}

	/**
	 * Counts a submission under every key (address, email hash) and says how long to wait when one
	 * of them is over the limit. A refused submission is not counted, so waiting always helps.
	 */
	Optional<Duration> admit(String... keys) {
		Instant now = clock.instant();
		Duration wait = Duration.ZERO;
		synchronized (this) {
			for (String key : keys) {
				Deque<Instant> times = seen.get(key, k -> new ArrayDeque<>());
				while (!times.isEmpty() && !times.peekFirst().isAfter(now.minus(window))) {
					times.pollFirst();
				}
				if (times.size() >= limit) {
					Duration until = Duration.between(now, times.peekFirst().plus(window));
					wait = until.compareTo(wait) > 0 ? until : wait;
				}
			}
			if (!wait.isZero()) {
				return Optional.of(wait);
			}
			for (String key : keys) {
				seen.get(key, k -> new ArrayDeque<>()).addLast(now);
			}
		}
		return Optional.empty();
	}

}
