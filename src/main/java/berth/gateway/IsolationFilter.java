package berth.gateway;

import java.net.URI;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import berth.account.TenantRef;
import berth.isolation.Ownership;
import berth.web.DockerApiException;

/**
 * After the policy, before routing: a request naming an object is checked against its owner and
 * forwarded with the object's full ID; lists, events and prunes are narrowed to the tenant's objects.
 */
@Component
class IsolationFilter implements GlobalFilter, Ordered {

	private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(IsolationFilter.class);

	private final Ownership ownership;

	IsolationFilter(Ownership ownership) {
		this.ownership = ownership;
	}

	@Override
	public int getOrder() {
		return TenantFilter.ORDER + 200;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		TenantRef tenant = TenantFilter.tenantOf(exchange);
		if (tenant == null) {
			return Mono.error(new DockerApiException(HttpStatus.UNAUTHORIZED, "request was not authenticated"));
		}
		ServerHttpRequest request = exchange.getRequest();
		URI uri = request.getURI();
		String original = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
		return ownership.ownedRequest(tenant, request.getMethod().name(), uri.getRawPath(), uri.getRawQuery())
			.onErrorResume(DockerApiException.class, refusal -> drain(exchange).then(Mono.error(refusal)))
			.flatMap(target -> {
				if (target.equals(original)) {
					return chain.filter(exchange);
				}
				URI forwarded = URI.create(uri.getScheme() + "://" + uri.getRawAuthority() + target);
				return chain.filter(exchange.mutate().request(request.mutate().uri(forwarded).build()).build());
			});
	}

	/** Past this, the body of a refused request is not read any more: the connection is ended. */
	private static final long DRAIN_LIMIT = 64L * 1024 * 1024;

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
