package berth.gateway.admission;

import java.security.cert.X509Certificate;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import berth.account.TenantRef;
import berth.backend.Engine;

/**
 * What the admission asks outside itself: who is calling, which engine serves the tenant, and, on a
 * shared engine, what the request becomes once the tenant's objects are told apart from others'.
 * Kept small so that the admission is tested with plain answers and no server.
 */
public interface Lookups {

	/** The caller, when it is known without waiting (a cached key); null when it takes a look-up. */
	@Nullable TenantRef authenticatedNow(@Nullable String authorization, @Nullable String host,
			@Nullable X509Certificate certificate);

	/** The caller, or a 401 refusal. */
	Mono<TenantRef> authenticate(@Nullable String authorization, @Nullable String host,
			@Nullable X509Certificate certificate);

	/** The engine that serves the tenant, and whether it is shared or the tenant's own. */
	Mono<Engine> engineFor(TenantRef tenant);

	/**
	 * On a shared engine: the target to forward (path and query), with the objects it names checked
	 * to be the tenant's and put in its namespace, or a refusal in the engine's words.
	 */
	Mono<String> ownedTarget(TenantRef tenant, String method, String rawPath, @Nullable String rawQuery);

}
