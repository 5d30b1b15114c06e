package berth.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import berth.PlatformProperties;

/**
 * Berth's certificate authority: it issues the TLS listener's server certificate and the tenants'
 * client certificates, and it is what the listener trusts client certificates from. The operator's
 * CA when {@code berth.pki.ca-certificate} and {@code berth.pki.ca-key} are given (reread when the
 * files change); otherwise the one Berth made on its first start and keeps in Postgres, its private
 * key encrypted ({@link CaStore}), so that every replica signs with the same CA.
 */
@Component
public class CertificateAuthority {

	/** A certificate just issued: the only moment a generated private key exists outside the client. */
	public record Issued(String certificatePem, @Nullable String privateKeyPem, String serial, Instant notAfter,
			String caPem) {
	}

	/** A certificate signing request that cannot be signed; its message says why. */
	public static final class InvalidRequest extends RuntimeException {

		InvalidRequest(String message) {
			super(message);
		}

	}

	/** The CA cannot be loaded or made: its configuration is missing or wrong; the message says what to set. */
	public static final class Unavailable extends RuntimeException {

		Unavailable(String message, Throwable cause) {
			super(message, cause);
		}

	}

	/** The CA in use: its certificate and signing key. */
	record Current(X509Certificate certificate, PrivateKey key) {
	}

	/** A server certificate and its key. */
	record ServerCertificate(X509Certificate certificate, PrivateKey key) {
	}

	private static final Logger log = LoggerFactory.getLogger(CertificateAuthority.class);

	private static final SecureRandom RANDOM = new SecureRandom();

	private static final Duration CA_VALIDITY = Duration.ofDays(3650);

	private static final Duration SERVER_VALIDITY = Duration.ofDays(397);

	/** Clocks of clients and replicas differ a little: certificates start a while in the past. */
	private static final Duration BACKDATE = Duration.ofMinutes(5);

	private final PkiProperties properties;

	private final PlatformProperties platform;

	private final CaStore store;

	/** Loaded on first use: an instance with the TLS port off that issues nothing never needs it. */
	private volatile @Nullable Current current;

	CertificateAuthority(PkiProperties properties, PlatformProperties platform, CaStore store) {
		this.properties = properties;
		this.platform = platform;
		this.store = store;
	}

	/** The CA in use, loaded (or made and kept) on first use. Blocking the first time. */
	private Current current() {
		Current loaded = current;
		if (loaded == null) {
			synchronized (this) {
				loaded = current;
				if (loaded == null) {
					try {
						loaded = operatorGiven() ? fromFiles() : kept(store, platform);
					}
					catch (IllegalStateException | IllegalArgumentException | UncheckedIOException e) {
						throw new Unavailable("Berth's certificate authority is not available: " + e.getMessage(), e);
					}
					current = loaded;
				}
			}
		}
		return loaded;
	}

	/** Whether the operator supplied the CA (its files are then watched for changes). */
	boolean operatorGiven() {
		return properties.caCertificate() != null || properties.caKey() != null;
	}

	List<Path> files() {
		List<Path> files = new ArrayList<>();
		if (properties.caCertificate() != null) {
			files.add(properties.caCertificate());
		}
		if (properties.caKey() != null) {
			files.add(properties.caKey());
		}
		return files;
	}

	/** Rereads the operator's CA files. */
	void reload() {
		if (operatorGiven()) {
			current = fromFiles();
		}
	}

	X509Certificate certificate() {
		return current().certificate();
	}

	public String caPem() {
		return Pem.certificate(current().certificate());
	}

	/** The latest expiry a certificate from this CA can have. Blocking the first time. */
	public Instant notAfter() {
		return current().certificate().getNotAfter().toInstant();
	}

	private Current fromFiles() {
		Path certificateFile = properties.caCertificate();
		Path keyFile = properties.caKey();
		if (certificateFile == null || keyFile == null) {
			throw new IllegalStateException("berth.pki.ca-certificate and berth.pki.ca-key go together: set both or neither");
		}
		X509Certificate certificate = Pem.certificates(read(certificateFile)).getFirst();
		PrivateKey key = Pem.privateKey(read(keyFile));
		if (certificate.getBasicConstraints() < 0) {
			throw new IllegalStateException(certificateFile + " is not a CA certificate (no basicConstraints CA:TRUE)");
		}
		log.info("certificate authority: the operator's, {} (until {})", certificate.getSubjectX500Principal(),
				certificate.getNotAfter().toInstant());
		return new Current(certificate, key);
	}

	private Current kept(CaStore store, PlatformProperties platform) {
		byte[] kek = CaStore.keyEncryptionKey(keyEncryptionSecret(platform));
		CaStore.Stored stored = store.load().orElseGet(() -> {
			KeyPair pair = newKeyPair();
			X509Certificate certificate = selfSigned(pair, platform.domain());
			return store.insertIfAbsent(
					new CaStore.Stored(Pem.certificate(certificate), CaStore.encrypt(pair.getPrivate(), certificate, kek)));
		});
		X509Certificate certificate = Pem.certificates(stored.certificatePem()).getFirst();
		try {
			PrivateKey key = KeyFactory.getInstance(certificate.getPublicKey().getAlgorithm())
				.generatePrivate(new PKCS8EncodedKeySpec(CaStore.decrypt(stored.encryptedKey(), certificate, kek)));
			log.info("certificate authority: Berth's own, {} (until {})", certificate.getSubjectX500Principal(),
					certificate.getNotAfter().toInstant());
			return new Current(certificate, key);
		}
		catch (GeneralSecurityException e) {
			throw new IllegalStateException("the CA key in the database is unreadable", e);
		}
	}

	private String keyEncryptionSecret(PlatformProperties platform) {
		if (!properties.keyEncryptionSecret().isBlank()) {
			return properties.keyEncryptionSecret();
		}
		if (platform.adminToken().isBlank()) {
			throw new IllegalStateException("Berth keeps its CA's private key encrypted: set berth.pki.key-encryption-secret "
					+ "(BERTH_PKI_KEY_ENCRYPTION_SECRET), or give the operator's CA with berth.pki.ca-certificate and berth.pki.ca-key");
		}
		log.warn("*** berth.pki.key-encryption-secret is not set: the CA key in the database is encrypted under a key "
				+ "derived from the admin token. Changing the admin token then makes the CA unusable. Set "
				+ "BERTH_PKI_KEY_ENCRYPTION_SECRET in production. ***");
		return "admin-token:" + platform.adminToken();
	}

	static X509Certificate selfSigned(KeyPair pair, String domain) {
		Instant now = Instant.now();
		X500Name name = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "Berth")
			.addRDN(BCStyle.CN, "Berth CA " + domain)
			.build();
		try {
			JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
			X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, randomSerial(), java.util.Date.from(now.minus(BACKDATE)),
					java.util.Date.from(now.plus(CA_VALIDITY)), name, pair.getPublic())
				.addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
				.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature))
				.addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(pair.getPublic()));
			return sign(builder, pair.getPrivate());
		}
		catch (CertIOException | GeneralSecurityException e) {
			throw new IllegalStateException(e);
		}
	}

	/** A server certificate for the TLS listener, with a fresh key. */
	ServerCertificate issueServer(Set<String> names) {
		KeyPair pair = newKeyPair();
		Current ca = current();
		Instant now = Instant.now();
		Instant notAfter = earliest(now.plus(SERVER_VALIDITY), ca.certificate().getNotAfter().toInstant());
		List<GeneralName> alternatives = new ArrayList<>();
		for (String name : names) {
			alternatives.add(isIpAddress(name) ? new GeneralName(GeneralName.iPAddress, name) : new GeneralName(GeneralName.dNSName, name));
		}
		X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "Berth")
			.addRDN(BCStyle.CN, names.iterator().next())
			.build();
		try {
			X509v3CertificateBuilder builder = leaf(ca, subject, pair.getPublic(), now, notAfter)
				.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(alternatives.toArray(GeneralName[]::new)))
				.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
			return new ServerCertificate(sign(builder, ca.key()), pair.getPrivate());
		}
		catch (CertIOException | GeneralSecurityException e) {
			throw new IllegalStateException(e);
		}
	}

	/**
	 * A client certificate naming the tenant ({@code CN=<tenant>}, clientAuth), with a random serial:
	 * for a fresh ECDSA P-256 key, or for the key of the given certificate signing request.
	 */
	public Issued issueClient(String tenant, @Nullable String csrPem, Instant requestedNotAfter) {
		Current ca = current();
		PublicKey publicKey;
		String privateKeyPem = null;
		if (csrPem == null) {
			KeyPair pair = newKeyPair();
			publicKey = pair.getPublic();
			privateKeyPem = Pem.privateKey(pair.getPrivate());
		}
		else {
			publicKey = requestedKey(csrPem);
		}
		Instant now = Instant.now();
		Instant notAfter = earliest(requestedNotAfter, ca.certificate().getNotAfter().toInstant());
		X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "Berth tenants")
			.addRDN(BCStyle.CN, tenant)
			.build();
		try {
			X509v3CertificateBuilder builder = leaf(ca, subject, publicKey, now, notAfter)
				.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
			X509Certificate certificate = sign(builder, ca.key());
			return new Issued(Pem.certificate(certificate), privateKeyPem, serialOf(certificate),
					certificate.getNotAfter().toInstant(), Pem.certificate(ca.certificate()));
		}
		catch (CertIOException | GeneralSecurityException e) {
			throw new IllegalStateException(e);
		}
	}

	/** The serial as Berth writes it: lowercase hex, no leading zeros. */
	public static String serialOf(X509Certificate certificate) {
		return certificate.getSerialNumber().toString(16);
	}

	/** The key a CSR asks to certify, once its signature proves the requester holds the private key. */
	private static PublicKey requestedKey(String csrPem) {
		PKCS10CertificationRequest csr;
		try {
			csr = Pem.csr(csrPem);
		}
		catch (IllegalArgumentException e) {
			throw new InvalidRequest("csr: " + e.getMessage());
		}
		PublicKey key;
		try {
			if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(csr.getSubjectPublicKeyInfo()))) {
				throw new InvalidRequest("csr: its signature does not verify");
			}
			key = new JcaPEMKeyConverter().getPublicKey(csr.getSubjectPublicKeyInfo());
		}
		catch (OperatorCreationException | PKCSException | IOException e) {
			throw new InvalidRequest("csr: unreadable key or signature (" + e.getMessage() + ")");
		}
		boolean strong = key instanceof ECPublicKey ec && ec.getParams().getCurve().getField().getFieldSize() >= 256
				|| key instanceof RSAPublicKey rsa && rsa.getModulus().bitLength() >= 2048;
		if (!strong) {
			throw new InvalidRequest("csr: the key must be ECDSA (P-256 or larger) or RSA of at least 2048 bits");
		}
		return key;
	}

	private static X509v3CertificateBuilder leaf(Current ca, X500Name subject, PublicKey key, Instant now, Instant notAfter)
			throws CertIOException, GeneralSecurityException {
		JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
		int usage = KeyUsage.digitalSignature | (key instanceof RSAPublicKey ? KeyUsage.keyEncipherment : 0);
		return new JcaX509v3CertificateBuilder(ca.certificate(), randomSerial(), java.util.Date.from(now.minus(BACKDATE)),
				java.util.Date.from(notAfter), subject, key)
			.addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
			.addExtension(Extension.keyUsage, true, new KeyUsage(usage))
			.addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(key))
			.addExtension(Extension.authorityKeyIdentifier, false, extensions.createAuthorityKeyIdentifier(ca.certificate()));
	}

	private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key) throws GeneralSecurityException {
		String algorithm = key.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
		try {
			return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder(algorithm).build(key)));
		}
		catch (OperatorCreationException e) {
			throw new IllegalStateException(e);
		}
	}

	/** 127 random bits, positive: unguessable, and within the 20 octets RFC 5280 allows. */
	private static BigInteger randomSerial() {
		return new BigInteger(127, RANDOM).setBit(126);
	}

	static KeyPair newKeyPair() {
		try {
			KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
			generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
			return generator.generateKeyPair();
		}
		catch (GeneralSecurityException e) {
			throw new IllegalStateException(e);
		}
	}

	static Set<String> serverNames(String domain, List<String> extra) {
		Set<String> names = new LinkedHashSet<>();
		names.add(domain);
		names.add("*." + domain);
		extra.stream().map(String::trim).filter(name -> !name.isEmpty()).forEach(names::add);
		return names;
	}

	private static boolean isIpAddress(String name) {
		return name.matches("[0-9.]+") || name.contains(":");
	}

	private static Instant earliest(Instant a, Instant b) {
		return a.isBefore(b) ? a : b;
	}

	static String read(Path file) {
		try {
			return Files.readString(file);
		}
		catch (IOException e) {
			throw new UncheckedIOException("cannot read " + file, e);
		}
	}

}
