package berth.account;

import java.time.Instant;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;

import berth.tls.CertificateAuthority;

/**
 * Client certificates for the Docker API over TLS: issued with a bundle that is shown this once (a
 * zip of PEMs and environment scripts, a context for {@code docker context import}, or JSON),
 * listed without keys, revoked.
 */
@RestController
@RequestMapping("/api/v1/tenants/{name}/certificates")
class CertificateController {

	record NewCertificate(@Nullable String description, @Nullable Instant expiresAt, @Nullable String csr) {
	}

	/** The JSON form of a bundle; {@code key} is null when a CSR was signed. */
	record IssuedCertificate(String id, String tenant, String description, String serial, Instant createdAt,
			Instant notAfter, String dockerHost, String ca, String cert, @Nullable String key) {
	}

	private final Tenants tenants;

	private final ClientCertificates certificates;

	private final CertificateIssuer issuer;

	private final ApplicationEventPublisher events;

	CertificateController(Tenants tenants, ClientCertificates certificates, CertificateIssuer issuer,
			ApplicationEventPublisher events) {
		this.tenants = tenants;
		this.certificates = certificates;
		this.issuer = issuer;
		this.events = events;
	}

	@PostMapping
	Mono<ResponseEntity<?>> issue(@PathVariable String name, @RequestParam(defaultValue = "zip") String format,
			@RequestBody(required = false) @Nullable NewCertificate request) {
		if (!List.of("zip", "docker-context", "json").contains(format)) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "format must be zip, docker-context or json");
		}
		String description = request == null || request.description() == null ? "" : request.description();
		Instant now = Instant.now();
		Instant requested = request == null ? null : request.expiresAt();
		String csr = request == null ? null : request.csr();
		if (description.length() > 200) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "description is longer than 200 characters");
		}
		if (requested != null && !requested.isAfter(now)) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "expiresAt must lie in the future");
		}
		return TenantController.existing(tenants, name)
			// the CA is loaded on first use: off the event loop, like the database work
			.flatMap(tenant -> Blocking.call(() -> issuer.issue(tenant, csr, requested, description)))
			.onErrorMap(CertificateIssuer.BeyondCaExpiry.class,
					e -> new ResponseStatusException(HttpStatus.BAD_REQUEST, e.getMessage()))
			.onErrorMap(CertificateAuthority.InvalidRequest.class,
					e -> new ResponseStatusException(HttpStatus.BAD_REQUEST, e.getMessage()))
			.onErrorMap(CertificateAuthority.Unavailable.class,
					e -> new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage()))
			.map(contents -> answer(format, contents, now));
	}

	private static ResponseEntity<?> answer(String format, CertificateBundles.Contents contents, Instant createdAt) {
		ResponseEntity.BodyBuilder created = ResponseEntity.status(HttpStatus.CREATED)
			.header(HttpHeaders.CACHE_CONTROL, "no-store");
		CertificateAuthority.Issued issued = contents.issued();
		return switch (format) {
			case "json" -> created.contentType(MediaType.APPLICATION_JSON)
				.body(new IssuedCertificate(contents.certificateId(), contents.tenant(), contents.description(),
						issued.serial(), createdAt, issued.notAfter(), contents.dockerHost(), issued.caPem(),
						issued.certificatePem(), issued.privateKeyPem()));
			case "docker-context" -> created.contentType(MediaType.parseMediaType("application/zip"))
				.header(HttpHeaders.CONTENT_DISPOSITION, attachment(contents.tenant() + ".dockercontext.zip"))
				.body(CertificateBundles.dockerContext(contents));
			default -> created.contentType(MediaType.parseMediaType("application/zip"))
				.header(HttpHeaders.CONTENT_DISPOSITION, attachment("berth-" + contents.tenant() + "-" + contents.certificateId() + ".zip"))
				.body(CertificateBundles.zip(contents));
		};
	}


	private static String attachment(String filename) {
		return ContentDisposition.attachment().filename(filename).build().toString();
	}

	@GetMapping
	Mono<List<ClientCertificate>> list(@PathVariable String name) {
		return TenantController.existing(tenants, name).flatMap(tenant -> Blocking.call(() -> certificates.of(tenant.id())));
	}

	@DeleteMapping("/{id}")
	Mono<ResponseEntity<Void>> revoke(@PathVariable String name, @PathVariable String id) {
		return TenantController.existing(tenants, name)
			.flatMap(tenant -> Blocking.call(() -> certificates.revoke(tenant.id(), id)).flatMap(revoked -> {
				if (revoked.isEmpty()) {
					return Mono.error(new ResponseStatusException(HttpStatus.NOT_FOUND,
							"tenant '" + name + "' has no active certificate '" + id + "'"));
				}
				events.publishEvent(new CertificateRevoked(id, revoked.get(), tenant.ref()));
				return Mono.just(ResponseEntity.noContent().<Void>build());
			}));
	}

}
