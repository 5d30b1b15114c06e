package berth.backend;

import java.util.List;

import reactor.core.publisher.Mono;

import berth.account.TenantRef;

/** Answers the question every proxied request asks: which engine serves this tenant. */
public interface Backends {

	Mono<Engine> engineFor(TenantRef tenant);

	/** Every engine that serves tenants now, e.g. to follow their event streams. */
	List<Engine> engines();

}
