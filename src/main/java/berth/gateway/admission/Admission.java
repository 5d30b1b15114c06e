package berth.gateway.admission;

import java.security.cert.X509Certificate;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

import berth.account.TenantRef;
import berth.backend.Engine;
import berth.isolation.Names;
import berth.isolation.TenantView;
import berth.policy.AfterAnswer;
import berth.policy.Endpoint;
import berth.policy.Endpoints;
import berth.policy.Policy;
import berth.policy.Policy.Decision;

/**
 * Decides every request on the tenant port, once, whatever carries it: the caller is authenticated,
 * the target put to the policy (the registry's row, the query, a registry host the engine would be
 * sent to), the engine that serves the tenant chosen, and, on a shared engine, the objects the request
 * names checked to be the tenant's and the target rewritten into its namespace. The result is a
 * refusal (a {@link berth.web.DockerApiException} signalled, in the engine's error shape) or a
 * {@link Forward}. An engine of the tenant's own gets no name prefixes, list scoping or image
 * namespaces, and the same policy.
 *
 * <p>Plain inputs only (method, raw target, headers, the connection's facts), so the fast path, the
 * hijack handler and the gateway's filter ask the same question and get the same answer, and the
 * admission is tested without a server.
 */
@Component
public class Admission {

	/** A request's headers, as its carrier holds them. */
	public interface Headers {

		@Nullable String first(String name);

		List<String> all(String name);

	}

	/** What the connection tells about the caller besides the request: a TLS client certificate. */
	public record Connection(@Nullable X509Certificate certificate) {

		public static final Connection PLAIN = new Connection(null);

	}

	private final Policy policy;

	private final Lookups lookups;

	public Admission(Policy policy, Lookups lookups) {
		this.policy = policy;
		this.lookups = lookups;
	}

	/**
	 * A request's body, as its carrier reads it; read only when the policy reads it (a JSON body, or
	 * one where the endpoint takes none). A stream is never read here: its carrier relays it.
	 */
	public interface BodyReader {

		/** Whether the request announces a body (a length above 0, or chunks). */
		boolean announced();

		/**
		 * The whole body; a body over {@code max} bytes signals {@link RequestBodies.TooLarge} once
		 * it has been read to its end (up to a bound), so the client reads the refusal.
		 */
		Mono<byte[]> read(int max);

		/** For a carrier that never reads a body: announced ones are not its to carry. */
		BodyReader NONE = new BodyReader() {

			@Override
			public boolean announced() {
				return false;
			}

			@Override
			public Mono<byte[]> read(int max) {
				return Mono.just(new byte[0]);
			}

		};

		/** A body the carrier already holds whole. */
		static BodyReader of(byte[] body) {
			return new BodyReader() {

				@Override
				public boolean announced() {
					return body.length > 0;
				}

				@Override
				public Mono<byte[]> read(int max) {
					return body.length > max ? Mono.error(new RequestBodies.TooLarge()) : Mono.just(body);
				}

			};
		}

	}

	/** Admits a request or signals its refusal. */
	public Mono<Forward> admit(String method, String rawTarget, Headers headers, BodyReader body,
			Connection connection) {
		String authorization = headers.first("Authorization");
		String host = headers.first("Host");
		TenantRef known;
		try {
			known = lookups.authenticatedNow(authorization, host, connection.certificate());
		}
		catch (RuntimeException refusal) {
			return Mono.error(refusal);
		}
		Mono<TenantRef> tenant = known != null ? Mono.just(known)
				: lookups.authenticate(authorization, host, connection.certificate());
		return tenant.flatMap(caller -> admit(caller, method, rawTarget, headers, body));
	}

	/**
	 * Admits an authenticated caller's request: the policy on the target, then on the body it reads,
	 * then the engine, then (on a shared engine) the objects the request names. A refusal comes from
	 * the first of these that refuses, in that order, on every carrier.
	 */
	public Mono<Forward> admit(TenantRef tenant, String method, String sentTarget, Headers headers, BodyReader body) {
		return Mono.defer(() -> {
			String rawTarget = named(method, sentTarget);
			int q = rawTarget.indexOf('?');
			String rawPath = q < 0 ? rawTarget : rawTarget.substring(0, q);
			String rawQuery = q < 0 ? null : rawTarget.substring(q + 1);
			Decision decision = policy.decide(tenant, method, rawPath, rawQuery, headers.all("Content-Type"));
			Endpoint endpoint = Policy.endpoint(method, decision.template());
			AfterAnswer after = new AfterAnswer();
			Mono<Engine> engine = decision.registry() == null ? lookups.engineFor(tenant)
					: policy.checkRegistry(tenant, decision).then(Mono.defer(() -> lookups.engineFor(tenant)));
			return engine.flatMap(chosen -> {
				if (!reads(decision, body)) {
					return forward(tenant, chosen, method, endpoint, decision, rawTarget, null, after);
				}
				return checkedBody(tenant, decision, rawPath, body, chosen, after).flatMap(
						checked -> forward(tenant, chosen, method, endpoint, decision, rawTarget, checked, after));
			})
				// refused, or the client left while it was decided: what a rule held is let go
				.doOnError(refused -> after.run())
				.doOnCancel(after::run);
		});
	}

	/** The forward for an engine: on a shared one, with the target the ownership check produced. */
	private Mono<Forward> forward(TenantRef tenant, Engine engine, String method, Endpoint endpoint, Decision decision,
			String rawTarget, byte @Nullable [] checked, AfterAnswer after) {
		if (engine.kind() == Engine.Kind.OWN) {
			return Mono.just(new Forward(tenant, engine, endpoint, decision, rawTarget, rawTarget, checked, null, after));
		}
		int q = rawTarget.indexOf('?');
		String rawPath = q < 0 ? rawTarget : rawTarget.substring(0, q);
		String rawQuery = q < 0 ? null : rawTarget.substring(q + 1);
		TenantView view = TenantView.of(tenant.name(), method, rawPath, rawQuery);
		return lookups.ownedTarget(tenant, method, rawPath, rawQuery)
			.map(target -> new Forward(tenant, engine, endpoint, decision, rawTarget, target, checked, view, after));
	}

	/** Whether the policy reads the body: a JSON one always, an announced one where the endpoint takes none. */
	private static boolean reads(Decision decision, BodyReader body) {
		return switch (decision.body()) {
			case STREAM -> false;
			case NONE -> body.announced();
			case JSON -> true;
		};
	}

	/**
	 * A container created without a name gets one now, so that the policy's rules, the ownership
	 * check and the engine all see the same name.
	 */
	private static String named(String method, String target) {
		if (!method.equals("POST")) {
			return target;
		}
		int q = target.indexOf('?');
		String rawPath = q < 0 ? target : target.substring(0, q);
		if (!Endpoints.template(rawPath).equals("/containers/create")) {
			return target;
		}
		String rawQuery = q < 0 ? null : target.substring(q + 1);
		String query = Names.namedCreate(rawQuery);
		return query.equals(rawQuery) ? target : rawPath + "?" + query;
	}

	/**
	 * The body the engine gets: a JSON body read, checked by every rule and re-serialised; where the
	 * endpoint takes none, an announced body read and passed on only if it says nothing ({@code {}}).
	 * What a rule holds for the request is left in {@code after}.
	 */
	private Mono<byte[]> checkedBody(TenantRef tenant, Decision decision, String rawPath, BodyReader body,
			Engine engine, AfterAnswer after) {
		return switch (decision.body()) {
			case STREAM -> Mono.error(new IllegalStateException("a stream is the carrier's to relay"));
			case NONE -> read(tenant, decision, body)
				.flatMap(received -> received.length == 0 || policy.emptyBody(tenant, decision, received)
						? Mono.just(received) : Mono.error(policy.unexpectedBody(tenant, decision)));
			case JSON -> read(tenant, decision, body)
				.flatMap(received -> policy.checkBody(tenant, decision, rawPath, received,
						engine.kind() == Engine.Kind.SHARED))
				.contextWrite(Context.of(AfterAnswer.class, after));
		};
	}

	private Mono<byte[]> read(TenantRef tenant, Decision decision, BodyReader body) {
		return body.read(policy.maxBody())
			.onErrorMap(RequestBodies.TooLarge.class, tooLarge -> policy.bodyTooLarge(tenant, decision));
	}

}
