package berth.gateway;

import java.security.cert.X509Certificate;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

import berth.account.TenantRef;
import berth.backend.Backends;
import berth.backend.Engine;
import berth.gateway.admission.Lookups;
import berth.isolation.Ownership;

/** The admission's look-ups as Berth answers them: its authentication, its backends, its ownership checks. */
@Component
class EngineLookups implements Lookups {

	private final DockerAuthentication authentication;

	private final Backends backends;

	private final Ownership ownership;

	EngineLookups(DockerAuthentication authentication, Backends backends, Ownership ownership) {
		this.authentication = authentication;
		this.backends = backends;
		this.ownership = ownership;
	}

	@Override
	public @Nullable TenantRef authenticatedNow(@Nullable String authorization, @Nullable String host,
			@Nullable X509Certificate certificate) {
		return authentication.authenticateNow(authorization, host, certificate);
	}

	@Override
	public Mono<TenantRef> authenticate(@Nullable String authorization, @Nullable String host,
			@Nullable X509Certificate certificate) {
		return authentication.authenticate(authorization, host, certificate);
	}

	@Override
	public Mono<Engine> engineFor(TenantRef tenant) {
		return backends.engineFor(tenant);
	}

	@Override
	public Mono<String> ownedTarget(TenantRef tenant, String method, String rawPath, @Nullable String rawQuery) {
		return ownership.ownedRequest(tenant, method, rawPath, rawQuery);
	}

}
