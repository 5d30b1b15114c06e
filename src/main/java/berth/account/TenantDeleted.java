package berth.account;

public record TenantDeleted(TenantRef tenant) {
}
