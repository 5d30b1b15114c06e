package berth.isolation;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import berth.policy.BodyRule;

/**
 * The {@code Image} of a container create is resolved in the tenant's namespace: its own tag shadows
 * the shared one, and an image it may not use is answered like a missing one (404, on which the CLI
 * pulls). The engine gets the engine-side name of the tenant's own tag.
 */
@Component
@Order(Ordered.LOWEST_PRECEDENCE - 200)
class ImageRules implements BodyRule {

	private final Images images;

	ImageRules(Images images) {
		this.images = images;
	}

	@Override
	public boolean appliesTo(String endpoint) {
		return endpoint.equals("POST /containers/create");
	}

	@Override
	public Mono<Void> apply(Request request, ObjectNode body) {
		JsonNode image = body.get("Image");
		if (image == null || !image.isString() || image.asString().isEmpty()) {
			return Mono.empty();
		}
		return images.resolve(request.tenant(), image.asString())
			.doOnNext(resolved -> body.put("Image", resolved.engineReference()))
			.then();
	}

}
