package berth.routes;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;

import berth.PlatformProperties;
import berth.account.Tenants;

/** A tenant's routes as the operator (and, through them, the tenant) sees them. */
@RestController
@RequestMapping("/api/v1/tenants/{name}/routes")
class RouteController {

	/**
	 * @param status PUBLISHED, STOPPED (container not running), NO_ADDRESS (no address Traefik can
	 *     reach), NOT_ALLOWED (host not the tenant's to route), SHADOWED (a newer container serves it)
	 * @param published whether Redis holds the route now; null when Redis cannot be read
	 */
	record RouteView(String host, String container, String containerName, int port, String state,
			String status, @Nullable Boolean published, @Nullable String target, @Nullable Instant startedAt) {
	}

	private final Tenants tenants;

	private final Routes routes;

	private final Domains domains;

	private final Hostnames hostnames;

	private final ObjectProvider<RoutePublisher> publisher;

	RouteController(Tenants tenants, Routes routes, Domains domains, PlatformProperties platform,
			ObjectProvider<RoutePublisher> publisher) {
		this.tenants = tenants;
		this.routes = routes;
		this.domains = domains;
		this.hostnames = new Hostnames(platform.domain());
		this.publisher = publisher;
	}

	@GetMapping
	Mono<List<RouteView>> list(@PathVariable String name) {
		return DomainController.blocking(() -> {
			var tenant = tenants.findByName(name)
				.orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "no tenant named '" + name + "'"));
			List<RouteRow> rows = routes.ofTenant(tenant.id());
			var decisions = RoutePlan.decide(rows, hostnames,
					java.util.Map.of(tenant.id(), domains.namesOf(tenant.id())));
			RoutePublisher active = publisher.getIfAvailable();
			Optional<Set<String>> inRedis = active == null ? Optional.of(Set.of()) : active.publishedNames();
			return decisions.stream().map(decision -> {
				RouteRow row = decision.row();
				return new RouteView(row.host(), row.containerId(), row.containerName(),
						row.port(), row.running() ? "running" : "stopped", decision.status().name(),
						inRedis.map(names -> names.contains(row.routerName())).orElse(null), row.targetUrl(),
						row.startedAt());
			}).collect(Collectors.toList());
		});
	}

}
