package berth.teardown;

import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * A deleted tenant's teardown as the admin API shows it.
 *
 * @param state {@code waiting} (no attempt yet), {@code running} (an attempt holds the lease),
 *     {@code retrying} (the last attempt failed, see {@code lastError}), {@code finished} (nothing was
 *     left and the name is free again)
 * @param attempts attempts started so far
 * @param lastError why the last failed attempt failed; kept once finished, as a record
 * @param nextAttemptAt when the next attempt may start; null once finished
 */
record Teardown(String name, UUID tenantId, String state, int attempts, @Nullable String lastError,
		Instant requestedAt, @Nullable Instant nextAttemptAt, @Nullable Instant lastAttemptAt,
		@Nullable Instant finishedAt) {
}
