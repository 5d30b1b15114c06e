package berth.gateway;

import java.util.Locale;

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
import berth.outage.Unavailable;
import berth.web.DockerApiException;

/**
 * Finds the tenant behind a Docker API request, for ordinary and hijacked requests alike. The key
 * comes from {@code Authorization: Bearer <key>}, or else from the first label of the Host header
 * ({@code <key>.<domain>}). A Host naming a tenant ({@code <tenant>.<domain>}) must match the key's
 * tenant.
 */
@Component
public class DockerAuthentication {

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

	public Mono<TenantRef> authenticate(@Nullable String authorization, @Nullable String host) {
		String hostLabel = tenantLabel(host);
		String key;
		try {
			key = key(authorization, hostLabel);
		}
		catch (DockerApiException refusal) {
			return Mono.error(refusal);
		}
		return authenticator.authenticate(key)
			.doOnError(Unavailable.class, unavailable -> metrics.authenticationFailure("unavailable"))
			.map(result -> tenant(result, hostLabel));
	}

	/**
	 * The tenant when the answer is at hand (the key's record is cached), else null: then only
	 * {@link #authenticate} can answer. Throws the refusal when there is one.
	 */
	public @Nullable TenantRef authenticateNow(@Nullable String authorization, @Nullable String host) {
		String hostLabel = tenantLabel(host);
		Result result = authenticator.authenticateNow(key(authorization, hostLabel));
		return result == null ? null : tenant(result, hostLabel);
	}

	/** The key presented, from the Authorization header or else the Host; throws when there is none. */
	private String key(@Nullable String authorization, @Nullable String hostLabel) {
		String key = bearer(authorization);
		if (key == null && keyInHost && hostLabel != null && KeyFormat.looksLikeKey(hostLabel)) {
			key = hostLabel;
		}
		if (key == null) {
			throw refusal(HttpStatus.UNAUTHORIZED, "missing",
					"no API key: send 'Authorization: Bearer <key>' (HttpHeaders in ~/.docker/config.json)");
		}
		return key;
	}

	/** The tenant of an accepted key, if the Host names no other; throws the refusal otherwise. */
	private TenantRef tenant(Result result, @Nullable String hostLabel) {
		return switch (result) {
			case Result.Refused refused -> throw refusal(HttpStatus.UNAUTHORIZED, refused.reason(),
					switch (refused.reason()) {
						case "revoked" -> "this API key has been revoked";
						case "expired" -> "this API key has expired";
						default -> "this API key is not valid";
					});
			case Result.Accepted accepted -> {
				TenantRef tenant = accepted.tenant();
				if (hostLabel != null && !KeyFormat.looksLikeKey(hostLabel) && !hostLabel.equals(tenant.name())) {
					throw refusal(HttpStatus.FORBIDDEN, "wrong-tenant",
							"this API key does not belong to tenant '" + hostLabel + "'");
				}
				yield tenant;
			}
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
