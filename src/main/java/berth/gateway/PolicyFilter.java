package berth.gateway;

import java.net.URI;
import java.time.Duration;

import io.netty.buffer.ByteBufAllocator;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.util.context.Context;

import berth.account.TenantRef;
import berth.policy.AfterAnswer;
import berth.policy.Policy;
import berth.policy.PolicyRefusal;
import berth.policy.Policy.Decision;

/**
 * Applies the security policy to every authenticated request before it is forwarded: the target is
 * decided on, a JSON body is replaced by the one the policy produced, a body where none belongs is
 * refused, and streams pass untouched.
 */
@Component
class PolicyFilter implements GlobalFilter, Ordered {

	private static final NettyDataBufferFactory BUFFERS = new NettyDataBufferFactory(ByteBufAllocator.DEFAULT);

	private final Policy policy;

	PolicyFilter(Policy policy) {
		this.policy = policy;
	}

	@Override
	public int getOrder() {
		return TenantFilter.ORDER + 100;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		TenantRef tenant = TenantFilter.requireTenant(exchange);
		ServerHttpRequest request = exchange.getRequest();
		URI uri = request.getURI();
		Decision decision;
		try {
			decision = policy.decide(tenant, request.getMethod().name(), uri.getRawPath(), uri.getRawQuery(),
					request.getHeaders().getOrEmpty(HttpHeaders.CONTENT_TYPE));
		}
		catch (PolicyRefusal refusal) {
			return drained(request).then(Mono.error(refusal));
		}
		if (decision.registry() != null) {
			// the registry's name is resolved off the event loop before anything else happens
			return policy.checkRegistry(tenant, decision)
				.onErrorResume(PolicyRefusal.class, refusal -> drained(request).then(Mono.error(refusal)))
				.then(Mono.defer(() -> filter(exchange, chain, tenant, decision)));
		}
		return filter(exchange, chain, tenant, decision);
	}

	/**
	 * The request's body read to its end (up to a bound) and dropped: refused before its body was
	 * read, a client still sending would otherwise get a reset connection instead of the refusal.
	 */
	private static Mono<Void> drained(ServerHttpRequest request) {
		HttpHeaders headers = request.getHeaders();
		if (headers.getContentLength() <= 0 && !headers.containsHeader(HttpHeaders.TRANSFER_ENCODING)) {
			return Mono.empty();
		}
		return readCapped(request.getBody(), 0).onErrorResume(BodyTooLarge.class, tooLarge -> Mono.empty()).then();
	}

	private Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain, TenantRef tenant, Decision decision) {
		ServerHttpRequest request = exchange.getRequest();
		URI uri = request.getURI();
		if (decision.streamBody()) {
			return chain.filter(exchange);
		}
		HttpHeaders headers = request.getHeaders();
		boolean bodyAnnounced = headers.getContentLength() > 0 || headers.containsHeader(HttpHeaders.TRANSFER_ENCODING);
		if (!decision.jsonBody() && !bodyAnnounced) {
			return chain.filter(exchange);
		}
		return readCapped(request.getBody(), policy.maxBody())
			.onErrorMap(BodyTooLarge.class, e -> policy.bodyTooLarge(tenant, decision))
			.flatMap(body -> {
				if (!decision.jsonBody()) {
					if (body.length > 0 && !policy.emptyBody(tenant, decision, body)) {
						return Mono.error(policy.unexpectedBody(tenant, decision));
					}
					return chain.filter(exchange.mutate().request(withBody(request, body, false)).build());
				}
				// what a rule holds for this request (a tenant's turn to create) ends with the exchange
				AfterAnswer after = new AfterAnswer();
				return policy.checkBody(tenant, decision, uri.getRawPath(), body)
					.contextWrite(Context.of(AfterAnswer.class, after))
					.flatMap(checked -> chain.filter(exchange.mutate().request(withBody(request, checked, true)).build()))
					.doFinally(signal -> {
						if (signal == SignalType.CANCEL) {
							// the client left: the engine may still be carrying out what was forwarded
							Mono.delay(CANCELLED_GRACE).subscribe(tick -> after.run());
						}
						else {
							after.run();
						}
					});
			});
	}

	/**
	 * How long what a rule holds for a request outlives a client that left before the answer (a
	 * create the engine still carries out must be counted by the next one).
	 */
	private static final Duration CANCELLED_GRACE = Duration.ofSeconds(5);

	/** Past this, an oversized body is not drained any more: the connection is cut. */
	private static final long DRAIN_LIMIT = 64L * 1024 * 1024;

	private static final class BodyTooLarge extends RuntimeException {

		BodyTooLarge() {
			super(null, null, false, false);
		}

	}

	/**
	 * Reads a body of at most {@code max} bytes. A larger one is read on to its end (up to a bound)
	 * and dropped, so the client, still sending, gets the 413 rather than a reset connection.
	 */
	private static Mono<byte[]> readCapped(Flux<DataBuffer> body, int max) {
		return Mono.defer(() -> body.reduce(new Accumulator(max), Accumulator::add))
			.flatMap(read -> read.overflowed() ? Mono.error(new BodyTooLarge()) : Mono.just(read.bytes.toByteArray()));
	}

	private static final class Accumulator {

		private final int max;

		private final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();

		private long seen;

		Accumulator(int max) {
			this.max = max;
		}

		Accumulator add(DataBuffer buffer) {
			try {
				int size = buffer.readableByteCount();
				seen += size;
				if (seen > DRAIN_LIMIT) {
					throw new BodyTooLarge();
				}
				if (seen <= max) {
					byte[] chunk = new byte[size];
					buffer.read(chunk);
					bytes.writeBytes(chunk);
				}
				return this;
			}
			finally {
				DataBufferUtils.release(buffer);
			}
		}

		boolean overflowed() {
			return seen > max;
		}

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

}
