package berth.signup;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

class SubmissionLimitsTest {

	/** A clock the test moves. */
	static final class Moving extends Clock {

		Instant now = Instant.parse("2026-01-01T00:00:00Z");

		@Override
		public Instant instant() {
			return now;
		}

		@Override
		public java.time.ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(java.time.ZoneId zone) {
			return this;
		}

	}

	@Test
	void theSixthWithinTheWindowWaitsUntilTheFirstLeavesIt() {
		Moving clock = new Moving();
		SubmissionLimits limits = new SubmissionLimits(5, Duration.ofHours(1), clock);
		for (int i = 0; i < 5; i++) {
			assertThat(limits.admit("address:a", "email:" + i)).isEmpty();
			clock.now = clock.now.plus(Duration.ofMinutes(1));
		}
		assertThat(limits.admit("address:a", "email:x")).contains(Duration.ofMinutes(55));
		// refused submissions do not count: once the first leaves the window, one more gets in
		clock.now = clock.now.plus(Duration.ofMinutes(55));
		assertThat(limits.admit("address:a", "email:x")).isEmpty();
		assertThat(limits.admit("address:a", "email:y")).isPresent();
	}

	@Test
	void anyKeyOverItsLimitRefusesAndNoKeyIsCounted() {
		Moving clock = new Moving();
		SubmissionLimits limits = new SubmissionLimits(2, Duration.ofHours(1), clock);
		assertThat(limits.admit("address:a", "email:e")).isEmpty();
		assertThat(limits.admit("address:b", "email:e")).isEmpty();
		assertThat(limits.admit("address:c", "email:e")).isPresent();
		// address c was not counted by the refusal
		assertThat(limits.admit("address:c", "email:f")).isEmpty();
		assertThat(limits.admit("address:c", "email:g")).isEmpty();
		assertThat(limits.admit("address:c", "email:h")).isPresent();
	}

}
