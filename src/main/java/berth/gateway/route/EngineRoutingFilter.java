package berth.gateway.route;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.CLIENT_RESPONSE_ATTR;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_REQUEST_URL_ATTR;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.isAlreadyRouted;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.setAlreadyRouted;

import java.io.IOException;
import java.net.URI;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.HttpMethod;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.NettyDataBuffer;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;

import berth.gateway.DockerRoute;
import berth.gateway.ForwardedHeaders;
import berth.account.TenantRef;
import berth.gateway.admission.Forward;
import berth.gateway.admission.RequestBodies;
import berth.web.DockerApiException;

/**
 * Forwards a Docker API request to the engine that serves the tenant, streaming the body both ways.
 * It plays the part of the gateway's Netty routing and write-response filters for {@code berth:}
 * routes, and writes through the exchange's (possibly decorated) response, so response filters see
 * the body as with any gateway route. No response timeout: long polls and streams last as long as
 * the engine keeps them open.
 */
@Component
class EngineRoutingFilter implements GlobalFilter, Ordered {

	private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(EngineRoutingFilter.class);


	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		URI url = exchange.getAttribute(GATEWAY_REQUEST_URL_ATTR);
		if (isAlreadyRouted(exchange) || url == null || !DockerRoute.SCHEME.equals(url.getScheme())) {
			return chain.filter(exchange);
		}
		setAlreadyRouted(exchange);
		Forward forward = AdmissionFilter.requireForward(exchange);
		TenantRef tenant = forward.tenant();
		ServerHttpRequest request = exchange.getRequest();
		URI original = request.getURI();
		String target = original.getRawPath() + (original.getRawQuery() == null ? "" : "?" + original.getRawQuery());
		HttpMethod method = HttpMethod.valueOf(request.getMethod().name());
		boolean hasBody = hasBody(request.getHeaders());
		// Headers are set on the request inside send(): configuring them with HttpClient.headers()
		// would copy the client's whole configuration once more on every request.
		return Mono.just(forward.engine())
			.flatMap(engine -> engine.http()
				.request(method)
				.uri(target)
				.send((req, outbound) -> {
					io.netty.handler.codec.http.HttpHeaders out = req.requestHeaders();
					request.getHeaders().forEach((name, values) -> {
						if (!ForwardedHeaders.REQUEST_DROPPED.contains(name)) {
							out.add(name, values);
						}
					});
					if (!hasBody) {
						// Without this the client would frame an empty body as chunked, which the
						// engine reads as a body (start refuses one). Nothing to stream either.
						out.set(HttpHeaders.CONTENT_LENGTH, "0");
						return outbound;
					}
					return outbound.send(request.getBody().map(EngineRoutingFilter::byteBuf));
				})
				.responseConnection((response, connection) -> {
					exchange.getAttributes().put(CLIENT_RESPONSE_ATTR, response);
					ServerHttpResponse toClient = exchange.getResponse();
					toClient.setStatusCode(HttpStatusCode.valueOf(response.status().code()));
					HttpHeaders headers = toClient.getHeaders();
					response.responseHeaders().forEach(header -> {
						if (!ForwardedHeaders.RESPONSE_DROPPED.contains(header.getKey())) {
							headers.add(header.getKey(), header.getValue());
						}
					});
					return Mono.just(new Answer(connection, response.responseHeaders().contains(HttpHeaders.CONTENT_LENGTH)));
				})
				.next())
			.onErrorMap(EngineRoutingFilter::unreachable, e -> {
				log.warn("engine for tenant {} unreachable: {}", tenant.name(), e.toString());
				return new DockerApiException(HttpStatus.BAD_GATEWAY, "the Docker engine is not reachable right now");
			})
			.flatMap(answer -> chain.filter(exchange).then(relay(exchange, answer)));
	}

	/** The engine's answer: the connection its body arrives on, and whether its length is known. */
	private record Answer(Connection connection, boolean sized) {
	}

	/**
	 * Streams the engine's body to the client. A body of unknown length is a stream or a long poll
	 * (logs -f, events, wait, pull progress): its head goes out at once, since clients wait for it
	 * (docker run starts the container only once its wait request is acknowledged), and every chunk is
	 * flushed as it arrives. Nothing is buffered beyond one chunk.
	 */
	private static Mono<Void> relay(ServerWebExchange exchange, Answer answer) {
		ServerHttpResponse toClient = exchange.getResponse();
		NettyDataBufferFactory buffers = (NettyDataBufferFactory) toClient.bufferFactory();
		Flux<DataBuffer> body = answer.connection().inbound().receive().retain().map(buffers::wrap);
		Mono<Void> written = answer.sized() ? toClient.writeWith(body)
				: toClient.writeAndFlushWith(Flux.concat(Mono.just(Mono.just(buffers.wrap(Unpooled.EMPTY_BUFFER))),
						body.map(Mono::just)));
		return written.doOnCancel(answer.connection()::dispose).doOnError(error -> answer.connection().dispose());
	}

	private static boolean hasBody(HttpHeaders headers) {
		return RequestBodies.announced(headers.getContentLength(), headers.containsHeader(HttpHeaders.TRANSFER_ENCODING));
	}

	private static boolean unreachable(Throwable error) {
		return error instanceof IOException || error instanceof ConnectTimeoutException
				|| error instanceof reactor.netty.http.client.PrematureCloseException;
	}

	private static ByteBuf byteBuf(DataBuffer buffer) {
		if (buffer instanceof NettyDataBuffer netty) {
			return netty.getNativeBuffer();
		}
		ByteBuf copy = Unpooled.buffer(buffer.readableByteCount());
		buffer.toByteBuffer(copy.nioBuffer(0, buffer.readableByteCount()));
		copy.writerIndex(buffer.readableByteCount());
		return copy;
	}

}
