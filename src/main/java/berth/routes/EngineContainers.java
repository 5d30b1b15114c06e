package berth.routes;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import berth.backend.Engine;
import berth.backend.EngineClient;

/** Reads containers from an engine. Blocking: only the route publisher's own thread calls it. */
@Component
class EngineContainers {

	private static final Duration TIMEOUT = Duration.ofSeconds(15);

	private static final String LABELLED = "/containers/json?all=1&filters="
			+ URLEncoder.encode("{\"label\":[\"" + OwnerIdLabelRule.OWNER + "\"]}", StandardCharsets.UTF_8);

	private final JsonMapper json;

	EngineContainers(JsonMapper json) {
		this.json = json;
	}

	/** The container, or empty when the engine does not know it (any more). */
	Optional<ContainerView> inspect(Engine engine, String containerId) {
		Answer answer = get(engine, "/containers/" + URLEncoder.encode(containerId, StandardCharsets.UTF_8) + "/json");
		if (answer.status() == 404) {
			return Optional.empty();
		}
		return Optional.of(ContainerView.fromInspect(answer.body()));
	}

	/** Every container that carries an owner label, running or not. */
	List<ContainerView> labelled(Engine engine) {
		List<ContainerView> out = new ArrayList<>();
		for (JsonNode item : get(engine, LABELLED).body()) {
			out.add(ContainerView.fromList(item));
		}
		return out;
	}

	private record Answer(int status, JsonNode body) {
	}

	private Answer get(Engine engine, String uri) {
		EngineClient.Reply reply = EngineClient.get(engine, uri).block(TIMEOUT);
		if (reply == null || (reply.status() != 200 && reply.status() != 404)) {
			throw new IllegalStateException("engine " + engine.id() + " answered "
					+ (reply == null ? "nothing" : reply.status() + " " + reply.message()) + " to GET " + uri);
		}
		return new Answer(reply.status(), reply.body().length == 0 ? json.createObjectNode() : json.readTree(reply.body()));
	}

}
