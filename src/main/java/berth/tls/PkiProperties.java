package berth.tls;

import java.nio.file.Path;
import java.time.Duration;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Berth's certificate authority.
 *
 * @param caCertificate the operator's CA certificate (PEM); with {@link #caKey}, Berth signs with it
 * and keeps nothing in the database
 * @param caKey the operator's CA private key (PEM, unencrypted PKCS#8 or traditional)
 * @param keyEncryptionSecret the secret the private key of a CA that Berth made itself is encrypted
 * under in the database (AES-256-GCM); when empty, one is derived from the admin token, with a warning
 * @param clientValidity how long a client certificate lasts when the request names no expiry
 */
@ConfigurationProperties("berth.pki")
public record PkiProperties(@Nullable Path caCertificate, @Nullable Path caKey, @DefaultValue("") String keyEncryptionSecret,
		@DefaultValue("365d") Duration clientValidity) {
}
