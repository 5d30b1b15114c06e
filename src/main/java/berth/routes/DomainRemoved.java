package berth.routes;

import berth.account.TenantRef;

record DomainRemoved(TenantRef tenant, String domain) {
}
