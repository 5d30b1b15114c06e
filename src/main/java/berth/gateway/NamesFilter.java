package berth.gateway;

import java.net.URI;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import berth.account.TenantRef;
import berth.isolation.Names;
import berth.isolation.TenantView;
import berth.policy.Endpoints;

/**
 * The tenant's names on a shared engine: answers are shown as the tenant knows its objects (through a
 * {@link TenantViewResponse}), and a container created without a name gets one now, so that the
 * policy's body rules and the engine see the same name. Runs before the policy, so the view is built
 * from the request the tenant sent; the isolation filter later puts names in their engine-side form.
 */
@Component
class NamesFilter implements GlobalFilter, Ordered {

	@Override
	public int getOrder() {
		return TenantFilter.ORDER + 50;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		TenantRef tenant = TenantFilter.requireTenant(exchange);
		ServerHttpRequest request = exchange.getRequest();
		URI uri = request.getURI();
		TenantView view = TenantView.of(tenant.name(), request.getMethod().name(), uri.getRawPath(), uri.getRawQuery());
		ServerWebExchange.Builder named = exchange.mutate().response(new TenantViewResponse(exchange.getResponse(), view));
		if (HttpMethod.POST.equals(request.getMethod()) && Endpoints.template(uri.getRawPath()).equals("/containers/create")) {
			String query = Names.namedCreate(uri.getRawQuery());
			if (!query.equals(uri.getRawQuery())) {
				URI forwarded = URI.create(uri.getScheme() + "://" + uri.getRawAuthority() + uri.getRawPath() + "?" + query);
				named.request(request.mutate().uri(forwarded).build());
			}
		}
		return chain.filter(named.build());
	}

}
