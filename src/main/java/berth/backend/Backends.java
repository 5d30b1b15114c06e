package berth.backend;

import reactor.core.publisher.Mono;

import berth.account.TenantRef;

/** Answers the question every proxied request asks: which engine serves this tenant. */
public interface Backends {

	Mono<Engine> engineFor(TenantRef tenant);

}
