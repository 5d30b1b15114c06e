package berth.account;

import java.util.UUID;

/** Who a request acts for: the small, cacheable view of a tenant that other features pass around. */
public record TenantRef(UUID id, String name) {
}
