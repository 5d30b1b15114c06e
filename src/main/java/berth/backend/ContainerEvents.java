package berth.backend;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.util.retry.Retry;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Follows every engine's {@code /events} stream and republishes container lifecycle events as
 * application events ({@link ContainerStarted}, {@link ContainerStopped}, {@link ContainerRemoved}),
 * whether the change came through Berth or not (a process that exits, compose down, an operator).
 * A dropped stream is reconnected with backoff; {@link EngineEventsFollowed} tells listeners to
 * resynchronise, since events in the gap are lost.
 */
@Component
class ContainerEvents {

	private static final Logger log = LoggerFactory.getLogger(ContainerEvents.class);

	static final String FILTERS = "{\"type\":[\"container\"],\"event\":[\"start\",\"die\",\"stop\",\"destroy\"]}";

	private static final String URI = "/events?filters=" + URLEncoder.encode(FILTERS, StandardCharsets.UTF_8);

	private final Backends backends;

	private final ApplicationEventPublisher events;

	private final JsonMapper json;

	private final Disposable.Composite watching = Disposables.composite();

	ContainerEvents(Backends backends, ApplicationEventPublisher events, JsonMapper json) {
		this.backends = backends;
		this.events = events;
		this.json = json;
	}

	@EventListener(ApplicationReadyEvent.class)
	void start() {
		for (Engine engine : backends.engines()) {
			watching.add(follow(engine).subscribe());
		}
	}

	@PreDestroy
	void stop() {
		watching.dispose();
	}

	private Flux<String> follow(Engine engine) {
		return Flux.defer(() -> {
			Lines lines = new Lines();
			return engine.http().get().uri(URI).response((response, body) -> {
				if (response.status().code() != 200) {
					return Flux.error(new IOException("engine answered " + response.status() + " to GET /events"));
				}
				log.info("following the event stream of engine {}", engine.id());
				events.publishEvent(new EngineEventsFollowed(engine));
				return body.asByteArray().concatMapIterable(lines::feed);
			}).concatWith(Flux.error(() -> new IOException("the engine closed its event stream")));
		})
			.doOnNext(line -> dispatch(engine, line))
			.doOnError(error -> {
				log.warn("lost the event stream of engine {}: {}; reconnecting", engine.id(), error.toString());
				events.publishEvent(new EngineEventsLost(engine, error.toString()));
			})
			.retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(250))
				.maxBackoff(Duration.ofSeconds(10))
				.transientErrors(true));
	}

	void dispatch(Engine engine, String line) {
		JsonNode event;
		try {
			event = json.readTree(line);
		}
		catch (RuntimeException e) {
			log.warn("unreadable event from engine {}: {}", engine.id(), e.toString());
			return;
		}
		if (!"container".equals(event.path("Type").asString(""))) {
			return;
		}
		JsonNode actor = event.path("Actor");
		String id = actor.path("ID").asString("");
		if (id.isEmpty()) {
			return;
		}
		switch (event.path("Action").asString("")) {
			case "start" -> events.publishEvent(new ContainerStarted(engine, id, attributes(actor.path("Attributes"))));
			case "die", "stop" -> events.publishEvent(new ContainerStopped(engine, id));
			case "destroy" -> events.publishEvent(new ContainerRemoved(engine, id));
			default -> {
			}
		}
	}

	private static Map<String, String> attributes(JsonNode node) {
		Map<String, String> out = new LinkedHashMap<>();
		node.properties().forEach(entry -> {
			if (entry.getValue().isString()) {
				out.put(entry.getKey(), entry.getValue().stringValue());
			}
		});
		return out;
	}

	/** Splits a byte stream into lines; a line may span chunks (and a UTF-8 character may too). */
	static final class Lines {

		private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

		List<String> feed(byte[] chunk) {
			List<String> out = new ArrayList<>();
			int start = 0;
			for (int i = 0; i < chunk.length; i++) {
				if (chunk[i] == '\n') {
					pending.write(chunk, start, i - start);
					String line = pending.toString(StandardCharsets.UTF_8).trim();
					pending.reset();
					if (!line.isEmpty()) {
						out.add(line);
					}
					start = i + 1;
				}
			}
			pending.write(chunk, start, chunk.length - start);
			if (pending.size() > 1 << 20) {
				throw new IllegalStateException("an engine event longer than 1 MiB");
			}
			return out;
		}

	}

}
