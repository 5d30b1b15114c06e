package berth.backend;

import java.util.UUID;

/**
 * An operator moved a tenant to another plan, which may name another backend: whoever caches which
 * engine serves the tenant looks again.
 */
public record TenantPlanChanged(UUID tenantId) {
}
