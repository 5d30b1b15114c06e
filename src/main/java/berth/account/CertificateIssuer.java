package berth.account;

import java.time.Instant;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

import berth.PlatformProperties;
import berth.tls.CertificateAuthority;
import berth.tls.PkiProperties;
import berth.tls.TlsProperties;

/**
 * Issues a tenant's client certificate and records it, for the admin API and for signup alike: the
 * expiry rules (by default {@code berth.pki.client-validity}, never past the CA's own expiry) and
 * what a bundle shows live here once. Blocking: the CA may load from the database on first use.
 */
@Component
class CertificateIssuer {

	/** An expiry asked for that lies beyond the CA's own. */
	static final class BeyondCaExpiry extends RuntimeException {

		BeyondCaExpiry(Instant caExpiry) {
			super("expiresAt must not lie beyond the CA's own expiry, " + caExpiry);
		}

	}

	private final ClientCertificates certificates;

	private final CertificateAuthority authority;

	private final PlatformProperties platform;

	private final TlsProperties tls;

	private final PkiProperties pki;

	CertificateIssuer(ClientCertificates certificates, CertificateAuthority authority, PlatformProperties platform,
			TlsProperties tls, PkiProperties pki) {
		this.certificates = certificates;
		this.authority = authority;
		this.platform = platform;
		this.tls = tls;
		this.pki = pki;
	}

	/**
	 * Issues and records a certificate for the tenant: for the client's own key when a CSR is given,
	 * else with a new key; until {@code expiresAt}, or by default as the settings say.
	 */
	CertificateBundles.Contents issue(Tenant tenant, @Nullable String csr, @Nullable Instant expiresAt,
			String description) {
		Instant caExpiry = authority.notAfter();
		if (expiresAt != null && expiresAt.isAfter(caExpiry)) {
			throw new BeyondCaExpiry(caExpiry);
		}
		Instant until = expiresAt;
		if (until == null) {
			Instant wanted = Instant.now().plus(pki.clientValidity());
			until = wanted.isBefore(caExpiry) ? wanted : caExpiry;
		}
		CertificateAuthority.Issued issued = authority.issueClient(tenant.name(), csr, until);
		ClientCertificate kept = certificates.add(tenant, issued.serial(), description, issued.notAfter());
		return new CertificateBundles.Contents(tenant.name(), kept.id(), description,
				tls.dockerHostOf(tenant.name(), platform.domain()), issued);
	}

}
