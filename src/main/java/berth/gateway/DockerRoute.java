package berth.gateway;

import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.cloud.gateway.route.builder.RouteLocatorBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** One route: everything on the tenant port except the admin API goes to the tenant's engine. */
@Configuration(proxyBeanMethods = false)
class DockerRoute {

	@Bean
	RouteLocator dockerApi(RouteLocatorBuilder routes) {
		return routes.routes()
			.route("docker-api", route -> route.predicate(exchange -> !isAdminPath(exchange.getRequest().getPath().value()))
				.uri(EngineRoutingFilter.SCHEME + "://engine"))
			.build();
	}

	static boolean isAdminPath(String path) {
		return path.equals("/api") || path.startsWith("/api/");
	}

}
