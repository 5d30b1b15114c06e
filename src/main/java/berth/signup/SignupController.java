package berth.signup;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.web.server.csrf.CsrfToken;
import org.springframework.stereotype.Controller;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.reactive.result.view.Rendering;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import berth.account.Enrolments;
import berth.account.Enrolments.Enrolment;

/**
 * The signup pages. Every answer to the form is the same "check your email" page, whatever the
 * address or the name, so the form tells a stranger nothing about who has a tenant; only the name
 * rules, which are public, are checked in front of the user. The emailed link opens a page with one
 * button: mail scanners that fetch links would otherwise spend the one-time link before its owner.
 */
@Controller
class SignupController {

	static final String PATH = "/signup";

	private static final Logger audit = LoggerFactory.getLogger("berth.audit");

	private final SignupProperties properties;

	private final SignupLinks links;

	private final Enrolments enrolments;

	private final SignupMail mail;

	private final SubmissionLimits limits;

	private final Downloads downloads;

	private final MeterRegistry meters;

	private final String publicUrl;

	SignupController(SignupProperties properties, SignupLinks links, Enrolments enrolments, SignupMail mail,
			SubmissionLimits limits, Downloads downloads, MeterRegistry meters, SignupSettings settings) {
		this.properties = properties;
		this.links = links;
		this.enrolments = enrolments;
		this.mail = mail;
		this.limits = limits;
		this.downloads = downloads;
		this.meters = meters;
		this.publicUrl = settings.publicUrl();
	}

	@GetMapping(PATH)
	Rendering form(ServerWebExchange exchange) {
		requireEnabled();
		return page("signup/form", HttpStatus.OK, exchange).modelAttribute("email", "")
			.modelAttribute("name", "")
			.modelAttribute("errors", Map.of())
			.build();
	}

	/** The live check of the form: the admin API's rules and reserved names, never availability. */
	@GetMapping(PATH + "/name")
	@ResponseBody
	Map<String, Object> checkName(@RequestParam(defaultValue = "") String value) {
		requireEnabled();
		Optional<String> problem = Enrolments.nameProblem(value);
		return problem.<Map<String, Object>>map(message -> Map.of("valid", false, "message", message))
			.orElse(Map.of("valid", true, "message", ""));
	}

	@PostMapping(PATH)
	Mono<Rendering> submit(ServerWebExchange exchange) {
		requireEnabled();
		return exchange.getFormData().flatMap(form -> {
			String email = field(form, "email").toLowerCase(java.util.Locale.ROOT);
			String name = field(form, "name");
			String address = clientAddress(exchange);
			String who = "email#" + shortHash(email);
			if (!field(form, "website").isEmpty()) {
				// a bot filled the field people never see: it gets the usual answer, and nothing happens
				count("berth_signup_submissions_total", "honeypot");
				audit.info("signup dropped: honeypot filled, client {} {}", address, who);
				return Mono.just(sent(exchange));
			}
			Optional<Duration> wait = limits.admit("address:" + address, "email:" + shortHash(email));
			if (wait.isPresent()) {
				count("berth_signup_submissions_total", "rate-limited");
				audit.info("signup refused: rate limit, client {} {}", address, who);
				long seconds = Math.max(1, wait.get().toSeconds() + 1);
				return Mono.just(page("signup/limited", HttpStatus.TOO_MANY_REQUESTS, exchange)
					.header(HttpHeaders.RETRY_AFTER, Long.toString(seconds))
					.modelAttribute("minutes", Math.max(1, (seconds + 59) / 60))
					.build());
			}
			Map<String, String> errors = new LinkedHashMap<>();
			if (!Enrolments.isValidEmail(email)) {
				errors.put("email", "enter an email address such as you@example.com");
			}
			Enrolments.nameProblem(name).ifPresent(problem -> errors.put("name", problem));
			if (!"yes".equals(field(form, "terms"))) {
				errors.put("terms", "accept the terms to sign up");
			}
			if (!errors.isEmpty()) {
				count("berth_signup_submissions_total", "invalid");
				return Mono.just(page("signup/form", HttpStatus.BAD_REQUEST, exchange).modelAttribute("email", email)
					.modelAttribute("name", name)
					.modelAttribute("errors", errors)
					.build());
			}
			String token = SignupLinks.newToken();
			return Mono.fromRunnable(() -> links.add(token, email, name, Instant.now().plus(properties.linkValidity())))
				.subscribeOn(Schedulers.boundedElastic())
				.then(Mono.fromRunnable(() -> {
					mail.sendLink(email, name, publicUrl + PATH + "/confirm?token=" + token, properties.linkValidity(), who);
					count("berth_signup_submissions_total", "accepted");
					audit.info("signup link issued: client {} {} name {}", address, who, name);
				}))
				.thenReturn(sent(exchange));
		});
	}

	/** The emailed link: shows the button that creates the tenant, and spends nothing yet. */
	@GetMapping(PATH + "/confirm")
	Mono<Rendering> confirmPage(@RequestParam(defaultValue = "") String token, ServerWebExchange exchange) {
		requireEnabled();
		return Mono.fromCallable(() -> links.find(token))
			.subscribeOn(Schedulers.boundedElastic())
			.map(found -> found.map(link -> confirm(exchange, HttpStatus.OK, token, link.name(), null))
				.orElseGet(() -> expired(exchange)));
	}

	@PostMapping(PATH + "/confirm")
	Mono<Rendering> create(ServerWebExchange exchange) {
		requireEnabled();
		return exchange.getFormData().flatMap(form -> {
			String token = field(form, "token");
			String wanted = field(form, "name");
			Optional<String> problem = Enrolments.nameProblem(wanted);
			if (problem.isPresent()) {
				return Mono.fromCallable(() -> links.find(token))
					.subscribeOn(Schedulers.boundedElastic())
					.map(found -> found.isPresent() ? confirm(exchange, HttpStatus.BAD_REQUEST, token, wanted, problem.get())
							: expired(exchange));
			}
			return Mono.fromCallable(() -> enroll(token, wanted)).subscribeOn(Schedulers.boundedElastic()).map(outcome -> {
				String address = clientAddress(exchange);
				return switch (outcome) {
					case Expired e -> expired(exchange);
					case Taken t -> {
						count("berth_signup_confirmations_total", "taken");
						audit.info("signup: name {} taken meanwhile, client {}", wanted, address);
						yield confirm(exchange, HttpStatus.CONFLICT, token, wanted,
								"'" + wanted + "' was taken meanwhile: pick another name");
					}
					case Created c -> {
						count("berth_signup_confirmations_total", "created");
						audit.info("signup: tenant {} created, client {} email#{}", c.enrolment().tenant(), address,
								shortHash(c.email()));
						yield welcome(exchange, c.enrolment());
					}
				};
			});
		});
	}

	@GetMapping(PATH + "/download/{token}")
	Mono<ResponseEntity<?>> download(@PathVariable String token) {
		requireEnabled();
		Optional<Downloads.File> file = downloads.take(token);
		count("berth_signup_downloads_total", file.isPresent() ? "served" : "expired");
		if (file.isEmpty()) {
			return Mono.just(ResponseEntity.status(HttpStatus.GONE)
				.contentType(MediaType.TEXT_PLAIN)
				.body("This download link has expired or was already used. Issue a new certificate through your operator.\n"));
		}
		return Mono.just(ResponseEntity.ok()
			.cacheControl(CacheControl.noStore())
			.contentType(MediaType.parseMediaType(file.get().contentType()))
			.header(HttpHeaders.CONTENT_DISPOSITION,
					ContentDisposition.attachment().filename(file.get().name()).build().toString())
			.body(file.get().content()));
	}

	@GetMapping({ PATH + "/signup.css", PATH + "/signup.js" })
	ResponseEntity<Resource> asset(ServerWebExchange exchange) {
		String path = exchange.getRequest().getPath().value();
		boolean css = path.endsWith(".css");
		return ResponseEntity.ok()
			.cacheControl(CacheControl.maxAge(Duration.ofHours(1)))
			.contentType(css ? MediaType.valueOf("text/css") : MediaType.valueOf("text/javascript"))
			.body(new ClassPathResource(css ? "signup/signup.css" : "signup/signup.js"));
	}

	private sealed interface Outcome permits Expired, Taken, Created {
	}

	private record Expired() implements Outcome {
	}

	private record Taken() implements Outcome {
	}

	private record Created(String email, Enrolment enrolment) implements Outcome {
	}

	/** Blocking: spends the link, creates the tenant, or gives the link back when the name is taken. */
	private Outcome enroll(String token, String name) {
		Optional<SignupLinks.Claimed> claimed = links.claim(token);
		if (claimed.isEmpty()) {
			return new Expired();
		}
		try {
			return new Created(claimed.get().email(), enrolments.enroll(name, claimed.get().email()));
		}
		catch (Enrolments.NameUnavailable taken) {
			links.release(token);
			return new Taken();
		}
		catch (RuntimeException failed) {
			// the person may try again with the same link once the cause is fixed
			links.release(token);
			throw failed;
		}
	}

	private Rendering welcome(ServerWebExchange exchange, Enrolment enrolment) {
		String context = downloads.add(new Downloads.File(enrolment.tenant() + ".dockercontext.zip", "application/zip",
				enrolment.dockerContext()));
		String zip = downloads.add(new Downloads.File(enrolment.certificateZipName(), "application/zip",
				enrolment.certificateZip()));
		return page("signup/welcome", HttpStatus.CREATED, exchange).modelAttribute("enrolment", enrolment)
			.modelAttribute("contextUrl", PATH + "/download/" + context)
			.modelAttribute("zipUrl", PATH + "/download/" + zip)
			.modelAttribute("downloadMinutes", properties.downloadValidity().toMinutes())
			.modelAttribute("notAfter", java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
				.withZone(java.time.ZoneOffset.UTC)
				.format(enrolment.certificateNotAfter()))
			.build();
	}

	private Rendering confirm(ServerWebExchange exchange, HttpStatus status, String token, String name,
			@Nullable String error) {
		return page("signup/confirm", status, exchange).modelAttribute("token", token)
			.modelAttribute("name", name)
			.modelAttribute("error", error == null ? "" : error)
			.build();
	}

	private Rendering expired(ServerWebExchange exchange) {
		count("berth_signup_confirmations_total", "expired");
		return page("signup/expired", HttpStatus.GONE, exchange).build();
	}

	private Rendering sent(ServerWebExchange exchange) {
		return page("signup/sent", HttpStatus.OK, exchange).modelAttribute("minutes", properties.linkValidity().toMinutes())
			.build();
	}

	/** A page with the CSRF token (subscribing to it is what sets its cookie) and no caching. */
	private static Rendering.Builder<?> page(String view, HttpStatus status, ServerWebExchange exchange) {
		Mono<CsrfToken> csrf = exchange.getAttribute(CsrfToken.class.getName());
		return Rendering.view(view)
			.status(status)
			.header(HttpHeaders.CACHE_CONTROL, "no-store")
			.modelAttribute("csrf", csrf == null ? Mono.empty() : csrf);
	}

	private void requireEnabled() {
		if (!properties.enabled()) {
			throw new SignupClosed();
		}
	}

	/** Signup is off: the pages do not exist, for browsers and scripts alike. */
	private static final class SignupClosed extends RuntimeException {

		SignupClosed() {
			super(null, null, false, false);
		}

	}

	@ExceptionHandler(SignupClosed.class)
	ResponseEntity<String> closed() {
		return ResponseEntity.status(HttpStatus.NOT_FOUND)
			.contentType(new MediaType(MediaType.TEXT_PLAIN, StandardCharsets.UTF_8))
			.body("Not found: signup is not open on this installation.\n");
	}

	private void count(String metric, String outcome) {
		meters.counter(metric, "outcome", outcome).increment();
	}

	private static String field(MultiValueMap<String, String> form, String name) {
		String value = form.getFirst(name);
		return value == null ? "" : value.trim();
	}

	private static String clientAddress(ServerWebExchange exchange) {
		InetSocketAddress remote = exchange.getRequest().getRemoteAddress();
		return remote == null || remote.getAddress() == null ? "unknown" : remote.getAddress().getHostAddress();
	}

	/** Names an email in logs and limits without writing it: a prefix of its SHA-256. */
	static String shortHash(String email) {
		return HexFormat.of().formatHex(SignupLinks.hash(email.toLowerCase(java.util.Locale.ROOT))).substring(0, 16);
	}

}
