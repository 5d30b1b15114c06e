package berth.gateway.route;


import org.reactivestreams.Publisher;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import berth.policy.Endpoints;
import berth.metrics.GatewayMetrics;
import berth.metrics.GatewayMetrics.Direction;
import berth.web.DockerApiException;

/** Times every proxied request under its endpoint template. */
@Component
class RequestMetricsFilter implements GlobalFilter, Ordered {

	private final GatewayMetrics metrics;

	RequestMetricsFilter(GatewayMetrics metrics) {
		this.metrics = metrics;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		long start = System.nanoTime();
		return chain.filter(counting(exchange))
			.doOnSuccess(done -> record(exchange, start, statusOf(exchange)))
			.doOnCancel(() -> record(exchange, start, statusOf(exchange)))
			.doOnError(error -> record(exchange, start,
					error instanceof DockerApiException refusal ? refusal.status().value() : 500));
	}

	/** Counts body bytes as they stream past, without holding any of them. */
	private ServerWebExchange counting(ServerWebExchange exchange) {
		ServerHttpRequest request = new ServerHttpRequestDecorator(exchange.getRequest()) {
			@Override
			public Flux<DataBuffer> getBody() {
				return super.getBody().doOnNext(buffer -> metrics.httpBytes(Direction.UPSTREAM, buffer.readableByteCount()));
			}
		};
		ServerHttpResponse response = new ServerHttpResponseDecorator(exchange.getResponse()) {
			@Override
			public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
				return super.writeWith(Flux.from(body).doOnNext(this::count));
			}

			@Override
			public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
				return super.writeAndFlushWith(Flux.from(body).map(chunk -> Flux.from(chunk).doOnNext(this::count)));
			}

			private void count(DataBuffer buffer) {
				metrics.httpBytes(Direction.DOWNSTREAM, buffer.readableByteCount());
			}
		};
		return exchange.mutate().request(request).response(response).build();
	}

	private void record(ServerWebExchange exchange, long start, int status) {
		metrics.request(Endpoints.template(exchange.getRequest().getPath().value()),
				exchange.getRequest().getMethod().name(), status, System.nanoTime() - start);
	}

	private static int statusOf(ServerWebExchange exchange) {
		HttpStatusCode status = exchange.getResponse().getStatusCode();
		return status == null ? 200 : status.value();
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

}
