package berth.gateway;

import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.cloud.gateway.route.builder.RouteLocatorBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;


/**
 * One route: everything on the tenant port except Berth's own pages (the admin API and the signup
 * form) goes to the tenant's engine. No Docker API path starts with {@code /api} or {@code /signup}.
 */
@Configuration(proxyBeanMethods = false)
public class DockerRoute {

	/** The scheme of the route to the tenant's engine, which the engine routing filter carries. */
	public static final String SCHEME = "berth";

	@Bean
	RouteLocator dockerApi(RouteLocatorBuilder routes) {
		return routes.routes()
			.route("docker-api", route -> route.predicate(exchange -> !isBerthPath(exchange.getRequest().getPath().value()))
				.uri(SCHEME + "://engine"))
			.build();
	}

	public static boolean isAdminPath(String path) {
		return path.equals("/api") || path.startsWith("/api/");
	}

	/** Paths Berth answers itself, before any tenant authentication: the admin API and signup. */
	public static boolean isBerthPath(String path) {
		return isAdminPath(path) || path.equals("/signup") || path.startsWith("/signup/");
	}

}
