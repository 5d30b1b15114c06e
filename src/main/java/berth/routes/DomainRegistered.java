package berth.routes;

import berth.account.TenantRef;

record DomainRegistered(TenantRef tenant, String domain) {
}
