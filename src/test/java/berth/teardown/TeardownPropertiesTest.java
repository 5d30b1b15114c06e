package berth.teardown;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class TeardownPropertiesTest {

	@Test
	void defaultsAreTheDocumentedOnes() {
		TeardownProperties defaults = bind(Map.of());
		assertThat(defaults.enabled()).isTrue();
		assertThat(defaults.pollInterval()).isEqualTo(Duration.ofSeconds(5));
		assertThat(defaults.lease()).isEqualTo(Duration.ofMinutes(5));
		assertThat(defaults.firstRetry()).isEqualTo(Duration.ofSeconds(5));
		assertThat(defaults.maxRetry()).isEqualTo(Duration.ofMinutes(10));
	}

	@Test
	void settingsBindFromTheirDocumentedNames() {
		TeardownProperties set = bind(Map.of("berth.teardown.enabled", "false", "berth.teardown.poll-interval", "250ms",
				"berth.teardown.lease", "1m", "berth.teardown.first-retry", "2s", "berth.teardown.max-retry", "30s"));
		assertThat(set).isEqualTo(new TeardownProperties(false, Duration.ofMillis(250), Duration.ofMinutes(1),
				Duration.ofSeconds(2), Duration.ofSeconds(30)));
	}

	@Test
	void theWaitDoublesAfterEachFailureUpToTheMaximum() {
		TeardownProperties defaults = bind(Map.of());
		assertThat(defaults.retryAfter(1)).isEqualTo(Duration.ofSeconds(5));
		assertThat(defaults.retryAfter(2)).isEqualTo(Duration.ofSeconds(10));
		assertThat(defaults.retryAfter(3)).isEqualTo(Duration.ofSeconds(20));
		assertThat(defaults.retryAfter(7)).isEqualTo(Duration.ofSeconds(320));
		assertThat(defaults.retryAfter(8)).isEqualTo(Duration.ofMinutes(10));
		// a teardown that fails for weeks neither overflows nor waits longer than the maximum
		assertThat(defaults.retryAfter(Integer.MAX_VALUE)).isEqualTo(Duration.ofMinutes(10));
		assertThat(defaults.retryAfter(0)).isEqualTo(Duration.ofSeconds(5));
	}

	@Test
	void nonsenseIsRefusedAtStartup() {
		assertThatThrownBy(() -> bind(Map.of("berth.teardown.lease", "0s"))).hasRootCauseMessage(
				"berth.teardown.lease must be positive, not PT0S");
		assertThatThrownBy(() -> bind(Map.of("berth.teardown.poll-interval", "-1s")))
			.hasRootCauseMessage("berth.teardown.poll-interval must be positive, not PT-1S");
		assertThatThrownBy(() -> bind(Map.of("berth.teardown.first-retry", "1m", "berth.teardown.max-retry", "10s")))
			.hasRootCauseMessage("berth.teardown.max-retry (PT10S) must not be shorter than first-retry (PT1M)");
	}

	private static TeardownProperties bind(Map<String, String> settings) {
		return new Binder(new MapConfigurationPropertySource(settings))
			.bindOrCreate("berth.teardown", TeardownProperties.class);
	}

}
