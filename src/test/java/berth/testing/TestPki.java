package berth.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * A throwaway certificate authority for tests, with PEM files on disk in the forms Berth, dockerd and
 * the docker CLI read (ECDSA P-256, keys as unencrypted PKCS#8).
 */
public final class TestPki {

	/** A key pair and its certificate, written as {@code <name>.pem} and {@code <name>-key.pem}. */
	public record Issued(X509Certificate certificate, PrivateKey key, Path certificateFile, Path keyFile) {
	}

	private static final SecureRandom RANDOM = new SecureRandom();

	private final Path dir;

	private final String name;

	private final KeyPair keys;

	private final X509Certificate certificate;

	private final Path certificateFile;

	public TestPki(Path dir, String name) {
		this.dir = dir;
		this.name = name;
		this.keys = keyPair();
		X500Name subject = new X500Name("CN=" + name);
		try {
			X509v3CertificateBuilder builder = builder(subject, subject, keys)
				.addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
				.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
			this.certificate = sign(builder, keys.getPrivate());
			this.certificateFile = write(name + "-ca.pem", pem("CERTIFICATE", certificate.getEncoded()));
		}
		catch (IOException | GeneralSecurityException e) {
			throw new IllegalStateException(e);
		}
	}

	/** The CA's certificate file, what a verifying peer trusts. */
	public Path caFile() {
		return certificateFile;
	}

	public X509Certificate caCertificate() {
		return certificate;
	}

	/** A server certificate for the given DNS names and IP addresses. */
	public Issued server(String commonName, String... names) {
		List<GeneralName> alternatives = new ArrayList<>();
		for (String n : names) {
			alternatives.add(isAddress(n) ? new GeneralName(GeneralName.iPAddress, n)
					: new GeneralName(GeneralName.dNSName, n));
		}
		return issue(commonName, KeyPurposeId.id_kp_serverAuth, alternatives);
	}

	public Issued client(String commonName) {
		return issue(commonName, KeyPurposeId.id_kp_clientAuth, List.of());
	}

	private Issued issue(String commonName, KeyPurposeId purpose, List<GeneralName> alternatives) {
		KeyPair pair = keyPair();
		try {
			X509v3CertificateBuilder builder = builder(new X500Name("CN=" + name), new X500Name("CN=" + commonName),
					pair)
				.addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
				.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
				.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
			if (!alternatives.isEmpty()) {
				builder.addExtension(Extension.subjectAlternativeName, false,
						new GeneralNames(alternatives.toArray(GeneralName[]::new)));
			}
			X509Certificate issued = sign(builder, keys.getPrivate());
			String file = name + "-" + commonName.replaceAll("[^A-Za-z0-9.-]", "_");
			Path cert = write(file + ".pem", pem("CERTIFICATE", issued.getEncoded()));
			Path key = write(file + "-key.pem", pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
			return new Issued(issued, pair.getPrivate(), cert, key);
		}
		catch (IOException | GeneralSecurityException e) {
			throw new IllegalStateException(e);
		}
	}

	private JcaX509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair pair) {
		Instant now = Instant.now();
		return new JcaX509v3CertificateBuilder(issuer, new BigInteger(64, RANDOM).abs().add(BigInteger.ONE),
				Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(Duration.ofDays(2))), subject,
				pair.getPublic());
	}

	private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey issuerKey)
			throws GeneralSecurityException {
		try {
			return new JcaX509CertificateConverter()
				.getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
		}
		catch (org.bouncycastle.operator.OperatorCreationException e) {
			throw new GeneralSecurityException(e);
		}
	}

	private static KeyPair keyPair() {
		try {
			KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
			generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
			return generator.generateKeyPair();
		}
		catch (GeneralSecurityException e) {
			throw new IllegalStateException(e);
		}
	}

	private static String pem(String type, byte[] der) throws IOException {
		StringWriter out = new StringWriter();
		try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
			writer.writeObject(new PemObject(type, der));
		}
		return out.toString();
	}

	private Path write(String file, String content) {
		try {
			Files.createDirectories(dir);
			return Files.writeString(dir.resolve(file), content);
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	static boolean isAddress(String name) {
		return name.matches("\\d{1,3}(\\.\\d{1,3}){3}") || name.contains(":");
	}

}
