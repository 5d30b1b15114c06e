package berth.gateway.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import berth.account.TenantRef;
import berth.backend.Engine;
import berth.backend.EngineAddress;
import berth.gateway.admission.Admission;
import berth.gateway.admission.Forward;
import berth.gateway.admission.Lookups;
import berth.policy.Policies;
import berth.web.DockerApiException;

/**
 * The gateway's one filter applied to built exchanges, with a chain that records what it was given:
 * what reaches the engine is the admission's target and body; a refusal never reaches the chain.
 * No server, no engine: the look-ups answer plainly.
 */
class AdmissionFilterTest {

	static final TenantRef TENANT = new TenantRef(UUID.randomUUID(), "acme");

	/** A chain that keeps the exchange it was handed. */
	static final class Recording implements GatewayFilterChain {

		final List<ServerWebExchange> seen = new ArrayList<>();

		@Override
		public Mono<Void> filter(ServerWebExchange exchange) {
			seen.add(exchange);
			return Mono.empty();
		}

	}

	static Lookups lookups(Engine.Kind kind) {
		Engine engine = new Engine("test", EngineAddress.parse("unix:///var/run/docker.sock"), kind);
		return new Lookups() {
			@Override
			public @Nullable TenantRef authenticatedNow(@Nullable String authorization, @Nullable String host,
					@Nullable X509Certificate certificate) {
				return null;
			}

			@Override
			public Mono<TenantRef> authenticate(@Nullable String authorization, @Nullable String host,
					@Nullable X509Certificate certificate) {
				return "Bearer good".equals(authorization) ? Mono.just(TENANT)
						: Mono.error(new DockerApiException(HttpStatus.UNAUTHORIZED, "no key"));
			}

			@Override
			public Mono<Engine> engineFor(TenantRef tenant) {
				return Mono.just(engine);
			}

			@Override
			public Mono<String> ownedTarget(TenantRef tenant, String method, String rawPath, @Nullable String rawQuery) {
				return rawPath.contains("/theirs/") ? Mono.error(new DockerApiException(HttpStatus.NOT_FOUND, "No such container: theirs"))
						: Mono.just(rawPath.replace("/web/", "/0123abcd/") + (rawQuery == null ? "" : "?" + rawQuery));
			}
		};
	}

	/** Summaries and images are the shared engine's answers, which these requests never ask for. */
	static AdmissionFilter filter(Engine.Kind kind) {
		return new AdmissionFilter(new Admission(Policies.enforcing(), lookups(kind)), null, null);
	}

	@Test
	void anOwnedTargetIsWhatTheChainForwards() {
		Recording chain = new Recording();
		MockServerWebExchange exchange = MockServerWebExchange
			.from(MockServerHttpRequest.post("/v1.41/containers/web/start").header("Authorization", "Bearer good"));
		filter(Engine.Kind.SHARED).filter(exchange, chain).block();
		assertThat(chain.seen).hasSize(1);
		ServerWebExchange forwarded = chain.seen.get(0);
		assertThat(forwarded.getRequest().getURI().getRawPath()).isEqualTo("/v1.41/containers/0123abcd/start");
		Forward forward = AdmissionFilter.requireForward(forwarded);
		assertThat(forward.tenant()).isEqualTo(TENANT);
		assertThat(forwarded.getResponse()).isInstanceOf(TenantViewResponse.class);
	}

	@Test
	void onAnEngineOfItsOwnTheTargetAndTheAnswerAreAsSent() {
		Recording chain = new Recording();
		MockServerWebExchange exchange = MockServerWebExchange
			.from(MockServerHttpRequest.post("/v1.41/containers/web/start").header("Authorization", "Bearer good"));
		filter(Engine.Kind.OWN).filter(exchange, chain).block();
		ServerWebExchange forwarded = chain.seen.get(0);
		assertThat(forwarded.getRequest().getURI().getRawPath()).isEqualTo("/v1.41/containers/web/start");
		assertThat(forwarded.getResponse()).isNotInstanceOf(TenantViewResponse.class);
	}

	@Test
	void theEngineGetsTheBodyThePolicyProducedFramedByItsLength() {
		Recording chain = new Recording();
		MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.post("/v1.41/containers/create")
			.header("Authorization", "Bearer good")
			.header("Content-Type", "application/json")
			.header("Transfer-Encoding", "chunked")
			.body("{\"image\":\"busybox\"}"));
		filter(Engine.Kind.OWN).filter(exchange, chain).block();
		ServerWebExchange forwarded = chain.seen.get(0);
		String body = DataBufferUtils.join(forwarded.getRequest().getBody())
			.map(buffer -> buffer.toString(StandardCharsets.UTF_8))
			.block();
		assertThat(body).as("keys in the engine's casing, re-serialised").contains("\"Image\":\"busybox\"");
		assertThat(forwarded.getRequest().getHeaders().getContentLength()).isEqualTo(body.getBytes(StandardCharsets.UTF_8).length);
		assertThat(forwarded.getRequest().getHeaders().containsHeader("Transfer-Encoding")).isFalse();
		assertThat(forwarded.getRequest().getURI().getRawQuery()).as("a create without a name gets one").startsWith("name=");
	}

	@Test
	void refusalsNeverReachTheChain() {
		Recording chain = new Recording();
		AdmissionFilter filter = filter(Engine.Kind.SHARED);
		DockerApiException unauthenticated = catchThrowableOfType(DockerApiException.class, () -> filter
			.filter(MockServerWebExchange.from(MockServerHttpRequest.get("/v1.41/containers/json")), chain)
			.block());
		assertThat(unauthenticated.status().value()).isEqualTo(401);
		DockerApiException privileged = catchThrowableOfType(DockerApiException.class, () -> filter
			.filter(MockServerWebExchange.from(MockServerHttpRequest.post("/v1.41/containers/create")
				.header("Authorization", "Bearer good")
				.header("Content-Type", "application/json")
				.body("{\"Image\":\"busybox\",\"HostConfig\":{\"Privileged\":true}}")), chain)
			.block());
		assertThat(privileged.status().value()).isEqualTo(403);
		DockerApiException theirs = catchThrowableOfType(DockerApiException.class, () -> filter
			.filter(MockServerWebExchange.from(MockServerHttpRequest.put("/v1.41/containers/theirs/archive?path=/tmp")
				.header("Authorization", "Bearer good")
				.body("a tar stream")), chain)
			.block());
		assertThat(theirs.status().value()).isEqualTo(404);
		assertThat(chain.seen).isEmpty();
	}

}
