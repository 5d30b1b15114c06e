package berth.gateway;

import java.net.URI;

import io.netty.buffer.ByteBufAllocator;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
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

import berth.account.TenantRef;
import berth.policy.Policy;
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
		TenantRef tenant = TenantFilter.tenantOf(exchange);
		ServerHttpRequest request = exchange.getRequest();
		URI uri = request.getURI();
		Decision decision = policy.decide(tenant, request.getMethod().name(), uri.getRawPath(), uri.getRawQuery());
		if (decision.streamBody()) {
			return chain.filter(exchange);
		}
		HttpHeaders headers = request.getHeaders();
		boolean bodyAnnounced = headers.getContentLength() > 0 || headers.containsHeader(HttpHeaders.TRANSFER_ENCODING);
		if (!decision.jsonBody() && !bodyAnnounced) {
			return chain.filter(exchange);
		}
		return DataBufferUtils.join(request.getBody(), policy.maxBody())
			.map(PolicyFilter::bytes)
			.defaultIfEmpty(new byte[0])
			.onErrorMap(DataBufferLimitException.class, e -> policy.bodyTooLarge(tenant, decision))
			.flatMap(body -> {
				if (!decision.jsonBody()) {
					if (body.length > 0) {
						return Mono.error(policy.unexpectedBody(tenant, decision));
					}
					return chain.filter(exchange.mutate().request(withBody(request, body, false)).build());
				}
				return policy.checkBody(tenant, decision, uri.getRawPath(), body)
					.flatMap(checked -> chain.filter(exchange.mutate().request(withBody(request, checked, true)).build()));
			});
	}

	private static byte[] bytes(DataBuffer buffer) {
		byte[] bytes = new byte[buffer.readableByteCount()];
		buffer.read(bytes);
		DataBufferUtils.release(buffer);
		return bytes;
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
