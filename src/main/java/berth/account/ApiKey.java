package berth.account;

import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/** A tenant's API key as the admin API shows it: everything but the secret. */
public record ApiKey(String id, UUID tenantId, String description, Instant createdAt, @Nullable Instant lastUsedAt,
		@Nullable Instant expiresAt, @Nullable Instant revokedAt) {
}
