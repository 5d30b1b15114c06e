package berth.routes;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import berth.PlatformProperties;
import berth.account.ReservedNames;
import berth.account.Tenant;
import berth.account.Tenants;

/**
 * Custom domains an operator registers for a tenant, so its containers may route them. A domain
 * belongs to one tenant at most and lies outside the platform domain: the apex, {@code <x>.<domain>}
 * names and every tenant's subdomain are the platform's to hand out.
 */
@RestController
@RequestMapping("/api/v1/tenants/{name}/domains")
class DomainController {

	record NewDomain(@Nullable String domain) {
	}

	private final Tenants tenants;

	private final Domains domains;

	private final Hostnames hostnames;

	private final ApplicationEventPublisher events;

	DomainController(Tenants tenants, Domains domains, PlatformProperties platform, ApplicationEventPublisher events) {
		this.tenants = tenants;
		this.domains = domains;
		this.hostnames = new Hostnames(platform.domain());
		this.events = events;
	}

	@PostMapping
	Mono<ResponseEntity<Domains.Domain>> register(@PathVariable String name, @RequestBody NewDomain request) {
		String domain = normalized(request.domain());
		return existing(name).flatMap(tenant -> blocking(() -> {
			refuseForeign(tenant, domain);
			try {
				return domains.register(tenant.id(), tenant.name(), domain);
			}
			catch (DuplicateKeyException e) {
				String owner = domains.ownerOf(domain).orElse("another tenant");
				throw new ResponseStatusException(HttpStatus.CONFLICT, owner.equals(tenant.name())
						? "'" + domain + "' is already registered for tenant '" + owner + "'"
						: "'" + domain + "' is claimed by tenant '" + owner + "'");
			}
		}).doOnNext(registered -> events.publishEvent(new DomainRegistered(tenant.ref(), domain))))
			.map(registered -> ResponseEntity.status(HttpStatus.CREATED).body(registered));
	}

	@GetMapping
	Mono<List<Domains.Domain>> list(@PathVariable String name) {
		return existing(name).flatMap(tenant -> blocking(() -> domains.of(tenant.id())));
	}

	@DeleteMapping("/{domain}")
	Mono<ResponseEntity<Void>> remove(@PathVariable String name, @PathVariable String domain) {
		String normalized = domain.toLowerCase(Locale.ROOT);
		return existing(name).flatMap(tenant -> blocking(() -> domains.remove(tenant.id(), normalized)).flatMap(removed -> {
			if (!removed) {
				return Mono.error(new ResponseStatusException(HttpStatus.NOT_FOUND,
						"tenant '" + name + "' has no domain '" + normalized + "'"));
			}
			events.publishEvent(new DomainRemoved(tenant.ref(), normalized));
			return Mono.just(ResponseEntity.noContent().<Void>build());
		}));
	}

	private static String normalized(@Nullable String requested) {
		String domain = requested == null ? "" : requested.trim().toLowerCase(Locale.ROOT);
		if (domain.endsWith(".")) {
			domain = domain.substring(0, domain.length() - 1);
		}
		if (!Hostnames.isDomainName(domain)) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
					"domain must be a DNS name of two or more labels (letters, digits, inner hyphens), e.g. shop.example.com");
		}
		return domain;
	}

	/** Refuses names under the platform domain, with the reason an operator needs. Blocking. */
	private void refuseForeign(Tenant tenant, String domain) {
		Hostnames.Place place = hostnames.placeOf(domain);
		String label = place.label();
		@Nullable String refusal = switch (place.kind()) {
			case OUTSIDE -> null;
			case APEX -> "'" + domain + "' is the platform's own domain";
			case PLATFORM_HOST -> ReservedNames.contains(String.valueOf(label))
					? "'" + domain + "' is reserved by the platform"
					: "'" + domain + "' is one of the platform's own names (<name>." + hostnames.domain()
							+ " are tenants' Docker hosts)";
			case UNDER_TENANT -> {
				if (tenant.name().equals(label)) {
					yield "'" + domain + "' lies under the tenant's own subdomain: containers route it with a keyword label";
				}
				if (ReservedNames.contains(String.valueOf(label))) {
					yield "'" + domain + "' lies under a name reserved by the platform";
				}
				if (label != null && tenants.findByName(label).isPresent()) {
					throw new ResponseStatusException(HttpStatus.CONFLICT,
							"'" + domain + "' lies under tenant '" + label + "''s subdomain");
				}
				yield "'" + domain + "' lies under the platform domain " + hostnames.domain()
						+ "; only domains outside it can be registered";
			}
		};
		if (refusal != null) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST, refusal);
		}
	}

	private Mono<Tenant> existing(String name) {
		return blocking(() -> tenants.findByName(name)).flatMap(Mono::justOrEmpty)
			.switchIfEmpty(Mono.error(
					() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "no tenant named '" + name + "'")));
	}

	static <T> Mono<T> blocking(Callable<T> work) {
		return Mono.fromCallable(work).subscribeOn(Schedulers.boundedElastic());
	}

}
