package berth.backend;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.HttpMethod;
import org.springframework.http.HttpStatus;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import berth.web.DockerApiException;
import berth.web.EngineError;

/**
 * Berth's own calls to an engine (inspects, lists, counts, the few objects it creates itself), as
 * opposed to the tenants' requests it forwards: one small typed call each, with one error mapping. An
 * engine that cannot be reached, or that closes without an answer, is a 502 in Docker's error shape;
 * an answer of any status is the caller's to read ({@link Reply}), or, for {@link #json}, anything but a
 * 200 is the engine's own error, status and message kept.
 */
public final class EngineClient {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** What the engine answered: its status and whole body. */
	public record Reply(int status, byte[] body) {

		public boolean ok() {
			return status / 100 == 2;
		}

		public JsonNode json() {
			return JSON.readTree(body);
		}

		/** The engine's {@code message}, or the status when the body has none. */
		public String message() {
			try {
				return JSON.readTree(body).path("message").asString("status " + status);
			}
			catch (RuntimeException e) {
				return "status " + status;
			}
		}

		/** The engine's error as Berth passes it on, status and message as the engine gave them. */
		public DockerApiException error() {
			HttpStatus code = HttpStatus.resolve(status);
			String message;
			try {
				message = JSON.readTree(body).path("message").asString("");
			}
			catch (RuntimeException e) {
				message = "";
			}
			if (code == null || message.isEmpty()) {
				return new DockerApiException(HttpStatus.BAD_GATEWAY, "the Docker engine answered " + status);
			}
			return new EngineError(code, message);
		}

	}

	private EngineClient() {
	}

	/** A bodyless call ({@code GET}, {@code DELETE}, {@code POST} of an action), any answer. */
	public static Mono<Reply> call(Engine engine, HttpMethod method, String target) {
		return engine.http()
			.headers(headers -> headers.set("Content-Length", "0"))
			.request(method)
			.uri(target)
			.responseSingle((response, body) -> body.asByteArray()
				.defaultIfEmpty(new byte[0])
				.map(bytes -> new Reply(response.status().code(), bytes)))
			.switchIfEmpty(Mono.error(() -> noAnswer(method, target)))
			.onErrorMap(EngineClient::unreachable, EngineClient::badGateway);
	}

	/** A {@code GET}, any answer: an inspect whose 404 the caller reads. */
	public static Mono<Reply> get(Engine engine, String target) {
		return call(engine, HttpMethod.GET, target);
	}

	/** A {@code GET} of a JSON document: a 200's body, or the engine's error. */
	public static Mono<JsonNode> json(Engine engine, String target) {
		return get(engine, target).flatMap(reply -> reply.status() == 200 ? Mono.just(reply.json())
				: Mono.error(reply.error()));
	}

	/** How many objects a list answers ({@code /containers/json?...}); an answer that is not a list counts none. */
	public static Mono<Integer> count(Engine engine, String listTarget) {
		return json(engine, listTarget).map(list -> list.isArray() ? list.size() : 0);
	}

	/** A {@code POST} of a JSON body, any answer. */
	public static Mono<Reply> post(Engine engine, String target, JsonNode body) {
		byte[] json = JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
		return engine.http()
			.headers(headers -> headers.set("Content-Type", "application/json"))
			.post()
			.uri(target)
			.send(ByteBufFlux.fromInbound(Mono.just(json)))
			.responseSingle((response, bytes) -> bytes.asByteArray()
				.defaultIfEmpty(new byte[0])
				.map(read -> new Reply(response.status().code(), read)))
			.switchIfEmpty(Mono.error(() -> noAnswer(HttpMethod.POST, target)))
			.onErrorMap(EngineClient::unreachable, EngineClient::badGateway);
	}

	private static DockerApiException noAnswer(HttpMethod method, String target) {
		int query = target.indexOf('?');
		return new DockerApiException(HttpStatus.BAD_GATEWAY,
				"the Docker engine gave no answer to " + method + " " + (query < 0 ? target : target.substring(0, query)));
	}

	private static boolean unreachable(Throwable error) {
		return error instanceof IOException || error instanceof ConnectTimeoutException;
	}

	private static DockerApiException badGateway(Throwable error) {
		return new DockerApiException(HttpStatus.BAD_GATEWAY, "the Docker engine is not reachable right now");
	}

}
