package berth.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;

import org.junit.jupiter.api.Test;

/** The CA key as stored: sealed under the secret, bound to its certificate, never in clear. */
class CaStoreTest {

	private final KeyPair pair = CertificateAuthority.newKeyPair();

	private final X509Certificate certificate = CertificateAuthority.selfSigned(pair, "berth.test");

	@Test
	void theKeyComesBackOnlyWithTheSecretAndTheCertificateItWasSealedWith() {
		byte[] kek = CaStore.keyEncryptionKey("secret-one");
		byte[] stored = CaStore.encrypt(pair.getPrivate(), certificate, kek);
		assertThat(new String(stored, StandardCharsets.ISO_8859_1)).as("the stored bytes hold no key in clear")
			.doesNotContain(new String(pair.getPrivate().getEncoded(), StandardCharsets.ISO_8859_1));
		assertThat(CaStore.decrypt(stored, certificate, kek)).isEqualTo(pair.getPrivate().getEncoded());

		assertThatThrownBy(() -> CaStore.decrypt(stored, certificate, CaStore.keyEncryptionKey("secret-two")))
			.as("another secret")
			.hasMessageContaining("cannot be decrypted");
		X509Certificate other = CertificateAuthority.selfSigned(CertificateAuthority.newKeyPair(), "berth.test");
		assertThatThrownBy(() -> CaStore.decrypt(stored, other, kek)).as("the key put under another certificate")
			.hasMessageContaining("cannot be decrypted");
		assertThat(CaStore.encrypt(pair.getPrivate(), certificate, kek)).as("a fresh nonce each time").isNotEqualTo(stored);
	}

	@Test
	void theCaCertificateMayIssueCertificates() throws Exception {
		assertThat(certificate.getBasicConstraints()).isGreaterThanOrEqualTo(0);
		assertThat(certificate.getKeyUsage()[5]).as("keyCertSign").isTrue();
		certificate.verify(pair.getPublic());
	}

}
