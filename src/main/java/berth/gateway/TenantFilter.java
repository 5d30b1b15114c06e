package berth.gateway;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import berth.account.TenantRef;
import berth.web.DockerApiException;

/** Every Docker API request is authenticated before anything else looks at it. */
@Component
class TenantFilter implements GlobalFilter, Ordered {

	static final String TENANT = TenantFilter.class.getName() + ".tenant";

	static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 100;

	private final DockerAuthentication authentication;

	TenantFilter(DockerAuthentication authentication) {
		this.authentication = authentication;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		HttpHeaders headers = exchange.getRequest().getHeaders();
		return authentication
			.authenticate(headers.getFirst(HttpHeaders.AUTHORIZATION), headers.getFirst(HttpHeaders.HOST),
					PeerCertificates.of(exchange.getRequest()))
			.flatMap(tenant -> {
				exchange.getAttributes().put(TENANT, tenant);
				return chain.filter(exchange);
			});
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	/**
	 * The tenant this filter authenticated, for the filters after it. Without one (a filter ordered
	 * before this one, or a route that skipped it) the request is refused, never let through: the
	 * gateway's chain turns the exception into the 401 answer.
	 */
	static TenantRef requireTenant(ServerWebExchange exchange) {
		TenantRef tenant = exchange.getAttribute(TENANT);
		if (tenant == null) {
			throw new DockerApiException(HttpStatus.UNAUTHORIZED, "request was not authenticated");
		}
		return tenant;
	}

}
