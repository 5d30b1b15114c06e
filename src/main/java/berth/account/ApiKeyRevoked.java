package berth.account;

public record ApiKeyRevoked(String keyId, TenantRef tenant) {
}
