package berth.web;

import java.nio.charset.StandardCharsets;

import org.springframework.http.HttpStatus;

/**
 * An answer Berth gives in the engine's place, whole and in the engine's own words, where forwarding
 * is not wanted but a refusal would be wrong: clients probe swarm mode and plugins defensively and
 * expect what an engine with neither answers ({@code 503 This node is not part of a swarm}, an empty
 * plugin list). Carried like an error, so that every transport that can refuse can answer it.
 */
public final class EngineAnswer extends EngineError {

	private final byte[] json;

	private EngineAnswer(HttpStatus status, byte[] json, String summary) {
		super(status, summary);
		this.json = json;
	}

	/** A successful answer with a JSON body of Berth's making, e.g. {@code []}. */
	public static EngineAnswer ok(String json) {
		return new EngineAnswer(HttpStatus.OK, (json + "\n").getBytes(StandardCharsets.UTF_8), json);
	}

	/** An error answer worded as the engine words it. */
	public static EngineAnswer error(HttpStatus status, String message) {
		return new EngineAnswer(status, DockerErrors.body(message), message);
	}

	byte[] json() {
		return json.clone();
	}

}
