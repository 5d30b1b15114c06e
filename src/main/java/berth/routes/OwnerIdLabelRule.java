package berth.routes;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import berth.policy.BodyRule;

/**
 * Adds the owner's id, {@code berth.tenant.id}, next to the owner's name {@code berth.tenant} that
 * the policy sets on every container created through Berth (refusing any {@code berth.*} label a
 * client sends). Routes follow containers through the engine's event stream, where these labels are
 * the only link to a tenant; a route needs both to name the same tenant, so a container never
 * passes to a later tenant of the same name, nor to one named in an image's labels.
 */
@Component
@Order(100)
class OwnerIdLabelRule implements BodyRule {

	/** The owner's name, set by the policy (ContainerRules). */
	static final String OWNER = "berth.tenant";

	static final String OWNER_ID = "berth.tenant.id";

	@Override
	public boolean appliesTo(String endpoint) {
		return HttpLabelRule.CONTAINER_CREATE.equals(endpoint);
	}

	@Override
	public Mono<Void> apply(Request request, ObjectNode body) {
		return Mono.fromRunnable(() -> {
			JsonNode labels = body.get("Labels");
			ObjectNode target = labels instanceof ObjectNode object ? object : body.putObject("Labels");
			target.put(OWNER_ID, request.tenant().id().toString());
		});
	}

}
