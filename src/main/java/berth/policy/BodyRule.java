package berth.policy;

import reactor.core.publisher.Mono;
import tools.jackson.databind.node.ObjectNode;

import berth.account.TenantRef;

/**
 * A check on the JSON body of a Docker API request (container create, exec create, volume and
 * network create, ...). The gateway reads such bodies whole (they are small and capped), parses them
 * the way the engine does (keys of Docker's own structs in their canonical casing; ambiguous bodies
 * refused before any rule runs), runs every rule that applies, and forwards the body as the rules
 * left it, re-serialised. A rule refuses by signalling a {@link berth.web.DockerApiException}; it may
 * also rewrite the tree (e.g. inject limits). Rules run in {@code @Order} order.
 */
public interface BodyRule {

	/** @param endpoint method and template, e.g. {@code POST /containers/create} */
	boolean appliesTo(String endpoint);

	Mono<Void> apply(Request request, ObjectNode body);

	/**
	 * Whether the rule only keeps tenants apart on a shared engine (names, image namespaces): an
	 * engine of the tenant's own skips it. Rules that protect the host and its kernel never are.
	 */
	default boolean sharedEngineOnly() {
		return false;
	}

	/** What a rule knows of the request besides its body. */
	record Request(TenantRef tenant, String endpoint, String path, java.util.Map<String, String> query) {
	}

}
