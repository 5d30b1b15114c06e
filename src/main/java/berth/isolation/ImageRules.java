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

	/**
	 * The image reference as the tenant gave it, which the engine does not keep when it gets another
	 * (the tenant's own tag, or the full ID a prefix was pinned to); answers show it ({@link TenantView}).
	 */
	static final String GIVEN_LABEL = "berth.image";

	private final Images images;

	ImageRules(Images images) {
		this.images = images;
	}

	@Override
	public boolean sharedEngineOnly() {
		return true;
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
		String given = image.asString();
		return images.resolve(request.tenant(), given).doOnNext(resolved -> {
			body.put("Image", resolved.engineReference());
			// set on every create: a committed image carries the label of the container it was made from
			JsonNode labels = body.get("Labels");
			(labels instanceof ObjectNode object ? object : body.putObject("Labels")).put(GIVEN_LABEL, given);
		}).then();
	}

}
