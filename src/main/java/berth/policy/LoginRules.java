package berth.policy;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code docker login}: the engine checks the credentials by connecting to the registry the body
 * names, so that registry is held to {@link ImageSources} like a pull's. The credentials themselves
 * are passed on as they are, and never logged.
 */
@Component
@Order(0)
class LoginRules implements BodyRule {

	private final ImageSources sources;

	LoginRules(ImageSources sources) {
		this.sources = sources;
	}

	@Override
	public boolean appliesTo(String endpoint) {
		return endpoint.equals("POST /auth");
	}

	@Override
	public Mono<Void> apply(Request request, ObjectNode body) {
		String registry = RegistryHosts.registryOfServerAddress(Values.text(body.get("serveraddress")));
		return registry == null ? Mono.empty()
				: sources.checkRegistry(request.tenant().name(), request.endpoint(), registry);
	}

}
