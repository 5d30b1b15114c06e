package berth.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;
import org.jspecify.annotations.Nullable;

/** PEM in and out, in the forms Docker clients read: certificates, and keys as unencrypted PKCS#8. */
final class Pem {

	private Pem() {
	}

	static String certificate(X509Certificate certificate) {
		try {
			return write(new PemObject("CERTIFICATE", certificate.getEncoded()));
		}
		catch (java.security.cert.CertificateEncodingException e) {
			throw new IllegalStateException(e);
		}
	}

	/** {@code BEGIN PRIVATE KEY}: a JCA private key's encoding is PKCS#8 already. */
	static String privateKey(PrivateKey key) {
		return write(new PemObject("PRIVATE KEY", key.getEncoded()));
	}

	static List<X509Certificate> certificates(String pem) {
		try {
			CertificateFactory factory = CertificateFactory.getInstance("X.509");
			List<X509Certificate> certificates = factory
				.generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))
				.stream()
				.map(X509Certificate.class::cast)
				.toList();
			if (certificates.isEmpty()) {
				throw new IllegalArgumentException("no certificate in the PEM text");
			}
			return certificates;
		}
		catch (CertificateException e) {
			throw new IllegalArgumentException("not a PEM certificate: " + e.getMessage(), e);
		}
	}

	/** An unencrypted private key, PKCS#8 or traditional (EC, RSA). */
	static PrivateKey privateKey(String pem) {
		Object parsed = read(pem);
		try {
			JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
			if (parsed instanceof PrivateKeyInfo info) {
				return converter.getPrivateKey(info);
			}
			if (parsed instanceof PEMKeyPair pair) {
				return converter.getKeyPair(pair).getPrivate();
			}
		}
		catch (IOException e) {
			throw new IllegalArgumentException("unreadable private key: " + e.getMessage(), e);
		}
		throw new IllegalArgumentException("no unencrypted private key in the PEM text");
	}

	static PKCS10CertificationRequest csr(String pem) {
		if (read(pem) instanceof PKCS10CertificationRequest csr) {
			return csr;
		}
		throw new IllegalArgumentException("no certificate signing request (BEGIN CERTIFICATE REQUEST) in the PEM text");
	}

	private static @Nullable Object read(String pem) {
		try (PEMParser parser = new PEMParser(new StringReader(pem))) {
			return parser.readObject();
		}
		catch (IOException | RuntimeException e) {
			throw new IllegalArgumentException("unreadable PEM text", e);
		}
	}

	private static String write(PemObject object) {
		StringWriter out = new StringWriter();
		try (PemWriter writer = new PemWriter(out)) {
			writer.writeObject(object);
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		return out.toString();
	}

}
