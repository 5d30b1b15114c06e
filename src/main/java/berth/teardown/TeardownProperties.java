package berth.teardown;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How deleted tenants' backends are torn down.
 *
 * @param enabled whether this replica takes teardowns on; false on a replica that should never
 *     remove tenants' objects (another replica then does it) ({@code BERTH_TEARDOWN_ENABLED})
 * @param pollInterval how often each replica looks for due teardowns ({@code BERTH_TEARDOWN_POLL_INTERVAL})
 * @param lease how long an attempt may run before another replica may take the teardown over (a
 *     replica that died mid-attempt holds it no longer) ({@code BERTH_TEARDOWN_LEASE})
 * @param firstRetry the wait after a first failed attempt; it doubles with each further failure
 *     ({@code BERTH_TEARDOWN_FIRST_RETRY})
 * @param maxRetry the longest wait between attempts ({@code BERTH_TEARDOWN_MAX_RETRY})
 */
@ConfigurationProperties("berth.teardown")
public record TeardownProperties(@DefaultValue("true") boolean enabled, @DefaultValue("5s") Duration pollInterval, @DefaultValue("5m") Duration lease,
		@DefaultValue("5s") Duration firstRetry, @DefaultValue("10m") Duration maxRetry) {

	public TeardownProperties {
		positive("poll-interval", pollInterval);
		positive("lease", lease);
		positive("first-retry", firstRetry);
		positive("max-retry", maxRetry);
		if (maxRetry.compareTo(firstRetry) < 0) {
			throw new IllegalArgumentException(
					"berth.teardown.max-retry (" + maxRetry + ") must not be shorter than first-retry (" + firstRetry + ")");
		}
	}

	/** The wait before the next attempt after {@code failures} failed ones in a row (at least one). */
	Duration retryAfter(int failures) {
		Duration wait = firstRetry;
		for (int i = 1; i < failures && wait.compareTo(maxRetry) < 0; i++) {
			wait = wait.multipliedBy(2);
		}
		return wait.compareTo(maxRetry) > 0 ? maxRetry : wait;
	}

	private static void positive(String name, Duration value) {
		if (value.isNegative() || value.isZero()) {
			throw new IllegalArgumentException("berth.teardown." + name + " must be positive, not " + value);
		}
	}

}
