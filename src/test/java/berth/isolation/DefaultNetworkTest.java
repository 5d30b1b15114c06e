package berth.isolation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import berth.account.TenantRef;
import berth.backend.Backends;
import berth.backend.Engine;
import berth.backend.EngineAddress;
import berth.web.DockerApiException;

/**
 * The tenant's default network when the engine cannot make one. The engine here is a loopback
 * server answering as Docker 20.10 does once its address pools are used up (checked against the
 * real engine: {@code POST /networks/create} is then a 404 with the message below), which the
 * shared engine of a busy host reaches without {@code default-address-pools}.
 */
class DefaultNetworkTest {

	private static final String NO_POOL = "could not find an available, non-overlapping IPv4 address pool among the"
			+ " defaults to assign to the network";

	private final List<String> requests = new CopyOnWriteArrayList<>();

	private DisposableServer engineServer;

	private Ownership ownership;

	@BeforeEach
	void engineWithoutAddressPools() {
		engineServer = HttpServer.create().host("127.0.0.1").port(0).handle((request, response) -> {
			requests.add(request.method() + " " + request.uri());
			return response.status(404)
				.header("Content-Type", "application/json")
				.sendString(Mono.just(request.uri().contains("/networks/create")
						? "{\"message\":\"" + NO_POOL + "\"}\n" : "{\"message\":\"network acme_bridge not found\"}\n"))
				.then();
		}).bindNow();
		Engine engine = new Engine("sim", EngineAddress.parse("tcp://127.0.0.1:" + engineServer.port()), Engine.Kind.SHARED);
		ownership = new Ownership(new Backends() {
			@Override
			public Mono<Engine> engineFor(TenantRef tenant) {
				return Mono.just(engine);
			}

			@Override
			public List<Engine> engines() {
				return List.of(engine);
			}
		});
	}

	@AfterEach
	void stop() {
		engineServer.disposeNow();
	}

	@Test
	void anEngineOutOfAddressPoolsIsAServerSideRefusalNeverANotFound() {
		TenantRef acme = new TenantRef(UUID.randomUUID(), "acme");
		assertThatThrownBy(() -> ownership.defaultNetwork(acme).block())
			.isInstanceOfSatisfying(DockerApiException.class, refusal -> {
				// a 404 to a container create makes the docker CLI pull the image instead
				assertThat(refusal.status().value()).isEqualTo(503);
				assertThat(refusal.getMessage()).contains("your default network could not be created").contains(NO_POOL);
			});
		assertThat(requests).contains("GET /networks/acme_bridge", "POST /networks/create");
	}

}
