package berth.account;

import java.util.List;

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

@RestController
@RequestMapping("/api/v1/tenants")
class TenantController {

	record NewTenant(@Nullable String name, @Nullable String email) {
	}

	private final Tenants tenants;

	private final ApplicationEventPublisher events;

	private final AuthProperties auth;

	TenantController(Tenants tenants, ApplicationEventPublisher events, AuthProperties auth) {
		this.tenants = tenants;
		this.events = events;
		this.auth = auth;
	}

	@PostMapping
	Mono<ResponseEntity<Tenant>> create(@RequestBody NewTenant request) {
		String name = request.name();
		String email = request.email();
		if (name == null || !Tenant.isValidName(name)) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
					"name must be a DNS label of 3 to 40 characters: lowercase letters, digits and inner hyphens");
		}
		if (ReservedNames.contains(name)) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "name '" + name + "' is reserved by the platform");
		}
		if (email == null || !Tenant.isValidEmail(email)) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "email must be an e-mail address");
		}
		return Blocking.call(() -> tenants.create(name, email))
			.onErrorMap(DuplicateKeyException.class,
					e -> new ResponseStatusException(HttpStatus.CONFLICT, "tenant '" + name + "' already exists"))
			// its containers, volumes and images on the engine still carry the name until its teardown has
			// removed them: a new owner would get them
			.onErrorMap(Tenants.NameRetired.class, e -> new ResponseStatusException(HttpStatus.CONFLICT, e.getMessage()))
			.doOnNext(tenant -> events.publishEvent(new TenantCreated(tenant.ref())))
			.map(tenant -> ResponseEntity.status(HttpStatus.CREATED).body(tenant));
	}

	@GetMapping
	Mono<List<Tenant>> list() {
		return Blocking.call(tenants::findAll);
	}

	@GetMapping("/{name}")
	Mono<Tenant> get(@PathVariable String name) {
		return existing(tenants, name);
	}

	/**
	 * Deletes the tenant and asks for the teardown of its backend in the background (berth.teardown):
	 * it starts once every replica has dropped the tenant's keys from its cache.
	 */
	@DeleteMapping("/{name}")
	Mono<ResponseEntity<Void>> delete(@PathVariable String name) {
		return existing(tenants, name).flatMap(tenant -> Blocking.call(() -> tenants.delete(tenant.id(), auth.cacheTtl()))
			.doOnNext(deleted -> events.publishEvent(new TenantDeleted(tenant.ref())))
			.thenReturn(ResponseEntity.noContent().build()));
	}

	static Mono<Tenant> existing(Tenants tenants, String name) {
		return Blocking.call(() -> tenants.findByName(name))
			.flatMap(found -> Mono.justOrEmpty(found))
			.switchIfEmpty(Mono.error(
					() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "no tenant named '" + name + "'")));
	}

}
