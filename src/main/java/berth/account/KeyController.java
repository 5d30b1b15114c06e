package berth.account;

import java.time.Instant;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
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

import berth.PlatformProperties;

@RestController
@RequestMapping("/api/v1/tenants/{name}/keys")
class KeyController {

	record NewKey(@Nullable String description, @Nullable Instant expiresAt) {
	}

	/** The answer to issuing a key: the only response that ever carries the secret. */
	record IssuedKey(String id, String key, String tenant, String description, String dockerHost, Instant createdAt,
			@Nullable Instant expiresAt) {
	}

	private final Tenants tenants;

	private final ApiKeys keys;

	private final ApplicationEventPublisher events;

	private final PlatformProperties platform;

	KeyController(Tenants tenants, ApiKeys keys, ApplicationEventPublisher events, PlatformProperties platform) {
		this.tenants = tenants;
		this.keys = keys;
		this.events = events;
		this.platform = platform;
	}

	@PostMapping
	Mono<ResponseEntity<IssuedKey>> issue(@PathVariable String name, @RequestBody(required = false) @Nullable NewKey request) {
		String description = request == null || request.description() == null ? "" : request.description();
		Instant expiresAt = request == null ? null : request.expiresAt();
		if (description.length() > 200) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "description is longer than 200 characters");
		}
		if (expiresAt != null && !expiresAt.isAfter(Instant.now())) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "expiresAt must lie in the future");
		}
		return TenantController.existing(tenants, name)
			.flatMap(tenant -> Blocking.call(() -> keys.issue(tenant, description, expiresAt)))
			.map(issued -> ResponseEntity.status(HttpStatus.CREATED)
				.body(new IssuedKey(issued.key().id(), issued.secret(), name, description,
						platform.dockerHostOf(name), issued.key().createdAt(), expiresAt)));
	}

	@GetMapping
	Mono<List<ApiKey>> list(@PathVariable String name) {
		return TenantController.existing(tenants, name).flatMap(tenant -> Blocking.call(() -> keys.of(tenant.id())));
	}

	@DeleteMapping("/{id}")
	Mono<ResponseEntity<Void>> revoke(@PathVariable String name, @PathVariable String id) {
		return TenantController.existing(tenants, name)
			.flatMap(tenant -> Blocking.call(() -> keys.revoke(tenant.id(), id)).flatMap(revoked -> {
				if (!revoked) {
					return Mono.error(new ResponseStatusException(HttpStatus.NOT_FOUND,
							"tenant '" + name + "' has no active key '" + id + "'"));
				}
				events.publishEvent(new ApiKeyRevoked(id, tenant.ref()));
				return Mono.just(ResponseEntity.noContent().<Void>build());
			}));
	}

}
