package berth.gateway;

import org.jspecify.annotations.Nullable;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import berth.account.TenantRef;

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
		return authentication.authenticate(headers.getFirst(HttpHeaders.AUTHORIZATION), headers.getFirst(HttpHeaders.HOST))
			.flatMap(tenant -> {
				exchange.getAttributes().put(TENANT, tenant);
				return chain.filter(exchange);
			});
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	static @Nullable TenantRef tenantOf(ServerWebExchange exchange) {
		return exchange.getAttribute(TENANT);
	}

}
