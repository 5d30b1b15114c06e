package berth.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import berth.web.DockerApiException;
import berth.web.EngineError;

/**
 * Berth's own engine calls against a socket that answers as the test says: the engine's errors kept
 * with their status and words, an engine that is not there or hangs up without an answer a 502.
 */
class EngineClientTest {

	/** Serves one connection: reads the request head, writes {@code answer} (nothing: hangs up). */
	static Engine answering(String answer) throws IOException {
		ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
		Thread.ofVirtual().start(() -> {
			try (server; Socket socket = server.accept()) {
				InputStream in = socket.getInputStream();
				StringBuilder head = new StringBuilder();
				while (head.indexOf("\r\n\r\n") < 0) {
					int next = in.read();
					if (next < 0) {
						return;
					}
					head.append((char) next);
				}
				OutputStream out = socket.getOutputStream();
				out.write(answer.getBytes(StandardCharsets.ISO_8859_1));
				out.flush();
			}
			catch (IOException e) {
				// the test sees what the client made of it
			}
		});
		return new Engine("test", EngineAddress.parse("tcp://127.0.0.1:" + server.getLocalPort()), Engine.Kind.SHARED);
	}

	static String http(int status, String body) {
		return "HTTP/1.1 " + status + " X\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
				+ "\r\nConnection: close\r\n\r\n" + body;
	}

	@Test
	void aDocumentIsRead() throws IOException {
		assertThat(EngineClient.json(answering(http(200, "{\"Containers\":3}")), "/info").block().path("Containers").asInt())
			.isEqualTo(3);
		assertThat(EngineClient.count(answering(http(200, "[{},{}]")), "/containers/json?all=1").block()).isEqualTo(2);
	}

	@Test
	void theEnginesErrorKeepsItsStatusAndWords() throws IOException {
		EngineError missing = catchThrowableOfType(EngineError.class,
				() -> EngineClient.json(answering(http(404, "{\"message\":\"No such container: x\"}")), "/containers/x/json")
					.block());
		assertThat(missing.status().value()).isEqualTo(404);
		assertThat(missing.getMessage()).isEqualTo("No such container: x");
		DockerApiException wordless = catchThrowableOfType(DockerApiException.class,
				() -> EngineClient.count(answering(http(500, "")), "/containers/json").block());
		assertThat(wordless.status().value()).isEqualTo(502);
		assertThat(wordless.getMessage()).isEqualTo("berth: the Docker engine answered 500");
		EngineClient.Reply reply = EngineClient.get(answering(http(404, "{\"message\":\"gone\"}")), "/volumes/v").block();
		assertThat(reply.status()).isEqualTo(404);
		assertThat(reply.message()).isEqualTo("gone");
	}

	@Test
	void anEngineThatIsNotThereOrHangsUpIsA502() throws IOException {
		int closed;
		try (ServerSocket probe = new ServerSocket(0)) {
			closed = probe.getLocalPort();
		}
		Engine absent = new Engine("absent", EngineAddress.parse("tcp://127.0.0.1:" + closed), Engine.Kind.SHARED);
		DockerApiException unreachable = catchThrowableOfType(DockerApiException.class,
				() -> EngineClient.get(absent, "/_ping").block());
		assertThat(unreachable.status().value()).isEqualTo(502);
		assertThat(unreachable.getMessage()).isEqualTo("berth: the Docker engine is not reachable right now");
		DockerApiException hungUp = catchThrowableOfType(DockerApiException.class,
				() -> EngineClient.get(answering(""), "/containers/x/json?size=1").block());
		assertThat(hungUp.status().value()).isEqualTo(502);
	}

}
