package berth.account;

import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/** A tenant's client certificate as the admin API lists it: what identifies it, never a key. */
public record ClientCertificate(String id, UUID tenantId, String description, String serial, Instant createdAt,
		Instant notAfter, @Nullable Instant lastUsedAt, @Nullable Instant revokedAt) {
}
