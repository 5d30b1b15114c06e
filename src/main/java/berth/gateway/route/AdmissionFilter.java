package berth.gateway.route;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import io.netty.buffer.ByteBufAllocator;
import org.jspecify.annotations.Nullable;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;

import berth.gateway.PeerCertificates;
import berth.account.TenantRef;
import berth.gateway.admission.Admission;
import berth.gateway.admission.Forward;
import berth.gateway.admission.RequestBodies;
import berth.isolation.Images;
import berth.isolation.Summaries;
import berth.policy.Endpoint;
import berth.web.DockerApiException;

/**
 * The gateway's carrier: every Docker API request it carries is put to the {@link Admission}, and
 * what comes out is carried out, nothing else. A refusal is answered once the request body, if the
 * admission did not read it, has been drained; a {@link Forward} goes to the engine with its target,
 * the body the policy produced, and the answer shown as the tenant knows its objects. On a shared
 * engine Berth answers the summaries ({@code info}, {@code system df}) itself and image requests go
 * through their plan; an engine of the tenant's own gets them as they are.
 */
@Component
class AdmissionFilter implements GlobalFilter, Ordered {

	static final String FORWARD = AdmissionFilter.class.getName() + ".forward";

	static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 100;

	private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(AdmissionFilter.class);

	private static final NettyDataBufferFactory BUFFERS = new NettyDataBufferFactory(ByteBufAllocator.DEFAULT);

	/**
	 * How long what a rule holds for a request outlives a client that left before the answer (a
	 * create the engine still carries out must be counted by the next one).
	 */
	private static final Duration CANCELLED_GRACE = Duration.ofSeconds(5);

	private final Admission admission;

	private final Summaries summaries;

	private final Images images;

	AdmissionFilter(Admission admission, Summaries summaries, Images images) {
		this.admission = admission;
		this.summaries = summaries;
		this.images = images;
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		ServerHttpRequest request = exchange.getRequest();
		URI uri = request.getURI();
		String target = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
		ExchangeBody body = new ExchangeBody(request);
		return admission
			.admit(request.getMethod().name(), target, new SpringHeaders(request.getHeaders()), body,
					new Admission.Connection(PeerCertificates.of(request)))
			.onErrorResume(DockerApiException.class, refusal -> body.drained(exchange).then(Mono.error(refusal)))
			.flatMap(forward -> carry(exchange, chain, forward, body).doFinally(signal -> {
				if (signal == SignalType.CANCEL) {
					// the client left: the engine may still be carrying out what was forwarded
					Mono.delay(CANCELLED_GRACE).subscribe(tick -> forward.after().run());
				}
				else {
					forward.after().run();
				}
			}));
	}

	private Mono<Void> carry(ServerWebExchange exchange, GatewayFilterChain chain, Forward forward, ExchangeBody body) {
		exchange.getAttributes().put(FORWARD, forward);
		ServerHttpRequest request = exchange.getRequest();
		ServerWebExchange.Builder mutated = exchange.mutate();
		if (forward.view() != null) {
			mutated.response(new TenantViewResponse(exchange.getResponse(), forward.view()));
		}
		byte[] checked = forward.checkedBody();
		ServerHttpRequest toEngine = checked == null ? request
				: withBody(request, checked, forward.body() == berth.policy.Body.JSON);
		ServerWebExchange carried = mutated.request(toEngine).build();
		Endpoint.Isolation isolation = forward.endpoint().isolation();
		if (forward.shared() && isolation == Endpoint.Isolation.SUMMARY) {
			URI uri = request.getURI();
			return summaries.answer(forward.tenant(), uri.getRawPath(), uri.getRawQuery())
				.flatMap(json -> answer(carried.getResponse(), json));
		}
		if (forward.shared() && (isolation == Endpoint.Isolation.IMAGES || isolation == Endpoint.Isolation.COMMITTED)) {
			return images.plan(forward.tenant(), request.getMethod().name(), forward.target(),
					request.getHeaders().getFirst("X-Registry-Auth"))
				.onErrorResume(DockerApiException.class, refusal -> body.drained(exchange).then(Mono.error(refusal)))
				.flatMap(plan -> ImageExchanges.carryOut(plan, forward.tenant(), carried, chain));
		}
		if (forward.target().equals(forward.rawTarget()) && toEngine == request) {
			return chain.filter(carried);
		}
		URI uri = request.getURI();
		URI forwarded = URI.create(uri.getScheme() + "://" + uri.getRawAuthority() + forward.target());
		return chain.filter(carried.mutate().request(carried.getRequest().mutate().uri(forwarded).build()).build());
	}

	private static Mono<Void> answer(ServerHttpResponse response, byte[] json) {
		response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
		response.getHeaders().setContentLength(json.length);
		return response.writeWith(Mono.just(response.bufferFactory().wrap(json)));
	}

	/**
	 * The admitted request, for the filters after this one. Without one (a filter ordered before this
	 * one, or a route that skipped it) the request is refused, never let through: the gateway's chain
	 * turns the exception into the 401 answer.
	 */
	static Forward requireForward(ServerWebExchange exchange) {
		Forward forward = exchange.getAttribute(FORWARD);
		if (forward == null) {
			throw new DockerApiException(HttpStatus.UNAUTHORIZED, "request was not authenticated");
		}
		return forward;
	}

	static TenantRef requireTenant(ServerWebExchange exchange) {
		return requireForward(exchange).tenant();
	}

	/** The request as the engine will see it: exactly this body, framed by its length. */
	private static ServerHttpRequest withBody(ServerHttpRequest request, byte[] body, boolean json) {
		HttpHeaders headers = new HttpHeaders();
		headers.putAll(request.getHeaders());
		headers.remove(HttpHeaders.TRANSFER_ENCODING);
		headers.setContentLength(body.length);
		if (json) {
			headers.setContentType(MediaType.APPLICATION_JSON);
		}
		return new ServerHttpRequestDecorator(request) {
			@Override
			public HttpHeaders getHeaders() {
				return headers;
			}

			@Override
			public Flux<DataBuffer> getBody() {
				return body.length == 0 ? Flux.empty() : Flux.defer(() -> Flux.just(BUFFERS.wrap(body)));
			}
		};
	}

	/** A Spring request's headers as the admission reads them. */
	private record SpringHeaders(HttpHeaders headers) implements Admission.Headers {

		@Override
		public @Nullable String first(String name) {
			return headers.getFirst(name);
		}

		@Override
		public List<String> all(String name) {
			return headers.getOrEmpty(name);
		}

	}

	/** The exchange's body: read whole when the admission asks, drained when a refusal leaves it unread. */
	private static final class ExchangeBody implements Admission.BodyReader {

		private final ServerHttpRequest request;

		private boolean read;

		ExchangeBody(ServerHttpRequest request) {
			this.request = request;
		}

		@Override
		public boolean announced() {
			HttpHeaders headers = request.getHeaders();
			return headers.getContentLength() > 0 || headers.containsHeader(HttpHeaders.TRANSFER_ENCODING);
		}

		@Override
		public Mono<byte[]> read(int max) {
			read = true;
			return RequestBodies.read(request.getBody(), max, buffer -> {
				byte[] bytes = new byte[buffer.readableByteCount()];
				buffer.read(bytes);
				return bytes;
			}, DataBufferUtils::release);
		}

		/**
		 * The body of a refused request read to its end and dropped, unless it was read already: a
		 * client still sending would otherwise get a reset connection instead of the refusal. Past the
		 * drain limit the connection is ended instead.
		 */
		Mono<Void> drained(ServerWebExchange exchange) {
			if (read || !announced()) {
				return Mono.empty();
			}
			read = true;
			return RequestBodies.drain(request.getBody(), DataBuffer::readableByteCount, DataBufferUtils::release)
				.onErrorResume(failed -> {
					log.debug("the body of a refused request was not read to its end: {}", failed.toString());
					exchange.getResponse().getHeaders().setConnection("close");
					return Mono.empty();
				});
		}

	}

}
