package berth.account;

public record TenantCreated(TenantRef tenant) {
}
