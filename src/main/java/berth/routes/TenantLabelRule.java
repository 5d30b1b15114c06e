package berth.routes;

import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import berth.policy.BodyRule;
import berth.web.DockerApiException;

/**
 * Marks every container created through Berth with its owner: {@code berth.tenant} (the name) and
 * {@code berth.tenant.id}, overwriting whatever the client sent. Routes follow containers through the
 * engine's event stream, where these labels are the only link to a tenant; the id keeps a container
 * from passing to a later tenant of the same name.
 */
@Component
@Order(100)
class TenantLabelRule implements BodyRule {

	static final String LABEL = "berth.tenant";

	static final String ID_LABEL = "berth.tenant.id";

	@Override
	public boolean appliesTo(String endpoint) {
		return HttpLabelRule.CONTAINER_CREATE.equals(endpoint);
	}

	@Override
	public Mono<Void> apply(Request request, ObjectNode body) {
		return Mono.fromRunnable(() -> {
			JsonNode labels = body.get("Labels");
			ObjectNode target;
			if (labels == null || labels.isNull()) {
				target = body.putObject("Labels");
			}
			else if (labels instanceof ObjectNode object) {
				target = object;
			}
			else {
				throw new DockerApiException(HttpStatus.BAD_REQUEST, "Labels must be an object of strings");
			}
			target.put(LABEL, request.tenant().name());
			target.put(ID_LABEL, request.tenant().id().toString());
		});
	}

}
