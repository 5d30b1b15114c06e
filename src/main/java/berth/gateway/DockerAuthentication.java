package berth.gateway;

import java.security.cert.X509Certificate;
import java.util.Locale;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

import berth.PlatformProperties;
import berth.account.AuthProperties;
import berth.account.KeyFormat;
import berth.account.TenantAuthenticator;
import berth.account.TenantAuthenticator.Result;
import berth.account.TenantRef;
import berth.metrics.GatewayMetrics;
import berth.metrics.GatewayMetrics.AuthenticationMethod;
import berth.outage.Unavailable;
import berth.web.DockerApiException;

/**
 * Finds the tenant behind a Docker API request, for ordinary and hijacked requests alike. A tenant is
 * proved by a client certificate that the TLS handshake verified (port 2376), or by a key: from
 * {@code Authorization: Bearer <key>}, or else from the first label of the Host header
 * ({@code <key>.<domain>}). A request may carry both a certificate and a key only when they name the
 * same tenant. A Host naming a tenant ({@code <tenant>.<domain>}) must name the tenant proved.
 */
@Component
public class DockerAuthentication {

	/** What a request presents: a key (and where it came from), a certificate, or both. */
	private record Presented(@Nullable String key, AuthenticationMethod keyMethod, @Nullable X509Certificate certificate) {

		AuthenticationMethod method() {
			return certificate != null ? AuthenticationMethod.CERTIFICATE : keyMethod;
		}

	}

	private final TenantAuthenticator authenticator;

	private final GatewayMetrics metrics;

	private final String domainSuffix;

	private final boolean keyInHost;

	DockerAuthentication(TenantAuthenticator authenticator, GatewayMetrics metrics, PlatformProperties platform,
			AuthProperties auth) {
		this.authenticator = authenticator;
		this.metrics = metrics;
		this.domainSuffix = "." + platform.domain().toLowerCase(Locale.ROOT);
		this.keyInHost = auth.keyInHost();
	}

	/**
	 * @param certificate the client certificate the TLS handshake verified, if the request came over
	 * TLS with one
	 */
	public Mono<TenantRef> authenticate(@Nullable String authorization, @Nullable String host,
			@Nullable X509Certificate certificate) {
		String hostLabel = tenantLabel(host);
		Presented presented;
		try {
			presented = presented(authorization, hostLabel, certificate);
		}
		catch (DockerApiException refusal) {
			return Mono.error(refusal);
		}
		Mono<Optional<Result>> byCertificate = presented.certificate() == null ? Mono.just(Optional.empty())
				: authenticator.authenticate(presented.certificate()).map(Optional::of);
		Mono<Optional<Result>> byKey = presented.key() == null ? Mono.just(Optional.empty())
				: authenticator.authenticate(presented.key()).map(Optional::of);
		return Mono.zip(byCertificate, byKey)
			.doOnError(Unavailable.class, unavailable -> metrics.authenticationFailure("unavailable"))
			.map(results -> tenant(presented, results.getT1().orElse(null), results.getT2().orElse(null), hostLabel));
	}

	/**
	 * The tenant when the answer is at hand (the records of the key and certificate are cached), else
	 * null: then only {@link #authenticate} can answer. Throws the refusal when there is one.
	 */
	public @Nullable TenantRef authenticateNow(@Nullable String authorization, @Nullable String host,
			@Nullable X509Certificate certificate) {
		String hostLabel = tenantLabel(host);
		Presented presented = presented(authorization, hostLabel, certificate);
		Result byCertificate = null;
		if (presented.certificate() != null) {
			byCertificate = authenticator.authenticateNow(presented.certificate());
			if (byCertificate == null) {
				return null;
			}
		}
		Result byKey = null;
		if (presented.key() != null) {
			byKey = authenticator.authenticateNow(presented.key());
			if (byKey == null) {
				return null;
			}
		}
		return tenant(presented, byCertificate, byKey, hostLabel);
	}

	/** The credentials presented: a certificate, a key from the Authorization header or else the Host; throws when there is none. */
	private Presented presented(@Nullable String authorization, @Nullable String hostLabel,
			@Nullable X509Certificate certificate) {
		String key = bearer(authorization);
		AuthenticationMethod method = AuthenticationMethod.KEY_HEADER;
		if (key == null && keyInHost && hostLabel != null && KeyFormat.looksLikeKey(hostLabel)) {
			key = hostLabel;
			method = AuthenticationMethod.KEY_IN_HOST;
		}
		if (key == null && certificate == null) {
			throw refusal(HttpStatus.UNAUTHORIZED, "missing",
					"no API key: send 'Authorization: Bearer <key>' (HttpHeaders in ~/.docker/config.json)");
		}
		return new Presented(key, method, certificate);
	}

	/** The tenant proved, if every credential presented is accepted and names it; throws the refusal otherwise. */
	private TenantRef tenant(Presented presented, @Nullable Result byCertificate, @Nullable Result byKey,
			@Nullable String hostLabel) {
		TenantRef certificateTenant = byCertificate == null ? null : accepted(byCertificate, "client certificate");
		TenantRef keyTenant = byKey == null ? null : accepted(byKey, "API key");
		if (certificateTenant != null && keyTenant != null && !certificateTenant.id().equals(keyTenant.id())) {
			throw refusal(HttpStatus.FORBIDDEN, "wrong-tenant",
					"the API key and the client certificate belong to different tenants");
		}
		TenantRef tenant = certificateTenant != null ? certificateTenant : keyTenant;
		if (tenant == null) {
			throw new IllegalStateException("a request was authenticated without a credential");
		}
		if (hostLabel != null && !KeyFormat.looksLikeKey(hostLabel) && !hostLabel.equals(tenant.name())) {
			throw refusal(HttpStatus.FORBIDDEN, "wrong-tenant", "this "
					+ (certificateTenant != null ? "client certificate" : "API key") + " does not belong to tenant '"
					+ hostLabel + "'");
		}
		metrics.authenticated(presented.method());
		return tenant;
	}

	private TenantRef accepted(Result result, String credential) {
		return switch (result) {
			case Result.Refused refused -> throw refusal(HttpStatus.UNAUTHORIZED, refused.reason(),
					switch (refused.reason()) {
						case "revoked" -> "this " + credential + " has been revoked";
						case "expired" -> "this " + credential + " has expired";
						default -> "this " + credential + " is not valid";
					});
			case Result.Accepted accepted -> accepted.tenant();
		};
	}

	private DockerApiException refusal(HttpStatus status, String reason, String message) {
		metrics.authenticationFailure(reason);
		return new DockerApiException(status, message);
	}

	private static @Nullable String bearer(@Nullable String authorization) {
		if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
			return null;
		}
		String token = authorization.substring(7).trim();
		return token.isEmpty() ? null : token;
	}

	/** The label in front of the platform domain, if the Host is {@code <label>.<domain>[:port]}. */
	@Nullable String tenantLabel(@Nullable String host) {
		if (host == null) {
			return null;
		}
		String name = host.toLowerCase(Locale.ROOT);
		int colon = name.lastIndexOf(':');
		if (colon > 0 && name.indexOf(']') < colon) {
			name = name.substring(0, colon);
		}
		if (name.endsWith(".")) {
			name = name.substring(0, name.length() - 1);
		}
		if (!name.endsWith(domainSuffix)) {
			return null;
		}
		String label = name.substring(0, name.length() - domainSuffix.length());
		return label.isEmpty() || label.contains(".") ? null : label;
	}

}
