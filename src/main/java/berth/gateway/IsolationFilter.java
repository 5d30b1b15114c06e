package berth.gateway;

import java.net.URI;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import berth.account.TenantRef;
import berth.isolation.Images;
import berth.isolation.Ownership;
import berth.isolation.Summaries;
import berth.web.DockerApiException;

/**
 * After the policy, before routing: a request naming an object is checked against its owner and
 * forwarded with the object's full ID; lists, events and prunes are narrowed to the tenant's objects;
 * {@code info} and {@code system df} are answered with the tenant's share of them.
 */
@Component
class IsolationFilter implements GlobalFilter, Ordered {

	private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(IsolationFilter.class);

	private final Ownership ownership;

	private final Summaries summaries;

	private final Images images;

	IsolationFilter(Ownership ownership, Summaries summaries, Images images) {
		this.ownership = ownership;
		this.summaries = summaries;
		this.images = images;
	}

	@Override
	public int getOrder() {
		return TenantFilter.ORDER + 200;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		TenantRef tenant = TenantFilter.requireTenant(exchange);
		ServerHttpRequest request = exchange.getRequest();
		URI uri = request.getURI();
		if (Summaries.summarises(request.getMethod().name(), uri.getRawPath())) {
			return summaries.answer(tenant, uri.getRawPath(), uri.getRawQuery()).flatMap(json -> {
				ServerHttpResponse response = exchange.getResponse();
				response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
				response.getHeaders().setContentLength(json.length);
				return response.writeWith(Mono.just(response.bufferFactory().wrap(json)));
			});
		}
		String original = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
		String method = request.getMethod().name();
		Mono<String> owned = ownership.ownedRequest(tenant, method, uri.getRawPath(), uri.getRawQuery());
		// refusals come before anything reads the body: it is drained before the refusal is answered
		if (Images.handles(method, uri.getRawPath())) {
			return owned.flatMap(target -> images.plan(tenant, method, target, request.getHeaders().getFirst("X-Registry-Auth")))
				.onErrorResume(DockerApiException.class, refusal -> drain(exchange).then(Mono.error(refusal)))
				.flatMap(plan -> ImageExchanges.carryOut(plan, tenant, exchange, chain));
		}
		return owned.onErrorResume(DockerApiException.class, refusal -> drain(exchange).then(Mono.error(refusal)))
			.flatMap(target -> {
				if (target.equals(original)) {
					return chain.filter(exchange);
				}
				URI forwarded = URI.create(uri.getScheme() + "://" + uri.getRawAuthority() + target);
				return chain.filter(exchange.mutate().request(request.mutate().uri(forwarded).build()).build());
			});
	}

	/** Past this, the body of a refused request is not read any more: the connection is ended. */
	static final long DRAIN_LIMIT = 64L * 1024 * 1024;

	/**
	 * A request refused before its (streamed) body was read, e.g. docker cp into someone else's
	 * container: the body is read to its end and dropped, so the client, still sending, reads the
	 * refusal; closing with unread bytes would reset the connection under it (a "broken pipe" instead
	 * of "No such container"). A body beyond the bound ends the connection instead.
	 */
	private static Mono<Void> drain(ServerWebExchange exchange) {
		ServerHttpRequest request = exchange.getRequest();
		if (!hasBody(request.getHeaders())) {
			return Mono.empty();
		}
		return request.getBody().reduce(0L, (seen, buffer) -> {
			long total = seen + buffer.readableByteCount();
			DataBufferUtils.release(buffer);
			if (total > DRAIN_LIMIT) {
				throw new IllegalStateException("a refused request's body is larger than " + DRAIN_LIMIT + " bytes");
			}
			return total;
		}).onErrorResume(failed -> {
			log.debug("the body of a refused request was not read to its end: {}", failed.toString());
			exchange.getResponse().getHeaders().setConnection("close");
			return Mono.empty();
		}).then();
	}

	private static boolean hasBody(HttpHeaders headers) {
		return headers.getContentLength() > 0 || headers.containsHeader(HttpHeaders.TRANSFER_ENCODING);
	}

}
