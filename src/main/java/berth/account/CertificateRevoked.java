package berth.account;

public record CertificateRevoked(String certificateId, String serial, TenantRef tenant) {
}
