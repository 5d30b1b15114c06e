package berth.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.stereotype.Component;

/**
 * Berth's own meters, exported as {@code berth_*}. Requests are tagged by endpoint template
 * ({@code /containers/{id}/logs}), never by raw path, so container IDs cannot explode the series.
 */
@Component
public class GatewayMetrics {

	public enum Direction {

		/** from the docker client to the engine */
		UPSTREAM,
		/** from the engine to the docker client */
		DOWNSTREAM

	}

	private final MeterRegistry registry;

	private final AtomicInteger openHijacks = new AtomicInteger();

	/**
	 * Endpoints are templates, statuses few, and methods the HTTP ones (any other token a client
	 * sends is recorded as {@code other}), so this map and the series stay small.
	 */
	private final Map<RequestKey, Timer> timers = new ConcurrentHashMap<>();

	private record RequestKey(String endpoint, String method, int status) {
	}

	private final Counter hijacksUpstream;

	private final Counter hijacksDownstream;

	private final Counter httpUpstream;

	private final Counter httpDownstream;

	GatewayMetrics(MeterRegistry registry) {
		this.registry = registry;
		registry.gauge("berth.hijacked.connections.open", openHijacks);
		this.hijacksUpstream = bytes("hijack", Direction.UPSTREAM);
		this.hijacksDownstream = bytes("hijack", Direction.DOWNSTREAM);
		this.httpUpstream = bytes("http", Direction.UPSTREAM);
		this.httpDownstream = bytes("http", Direction.DOWNSTREAM);
		for (AuthenticationMethod method : AuthenticationMethod.values()) {
			authentications.put(method, Counter.builder("berth.authentications")
				.description("Docker API requests authenticated, by how the tenant was proved")
				.tag("method", method.tag())
				.register(registry));
		}
	}

	private Counter bytes(String kind, Direction direction) {
		return Counter.builder("berth.relayed.bytes")
			.description("bytes relayed between docker clients and engines")
			.tag("kind", kind)
			.tag("direction", direction.name().toLowerCase())
			.register(registry);
	}

	/** Records a request; the timer of each endpoint, method and status is built once. */
	public void request(String endpoint, String method, int status, long nanos) {
		timers.computeIfAbsent(new RequestKey(endpoint, known(method), status), this::timer)
			.record(nanos, TimeUnit.NANOSECONDS);
	}

	private static String known(String method) {
		return switch (method) {
			case "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT" -> method;
			default -> "other";
		};
	}

	private Timer timer(RequestKey key) {
		return Timer.builder("berth.requests")
			.description("Docker API requests proxied, by endpoint template")
			.tag("endpoint", key.endpoint())
			.tag("method", key.method())
			.tag("status", Integer.toString(key.status()))
			.register(registry);
	}

	/** How a request proved its tenant; counted once per request. */
	public enum AuthenticationMethod {

		KEY_HEADER, KEY_IN_HOST, CERTIFICATE;

		String tag() {
			return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
		}

	}

	private final Map<AuthenticationMethod, Counter> authentications = new java.util.EnumMap<>(AuthenticationMethod.class);

	public void authenticated(AuthenticationMethod method) {
		authentications.get(method).increment();
	}

	public void authenticationFailure(String reason) {
		registry.counter("berth.authentication.failures", "reason", reason).increment();
	}

	public void httpBytes(Direction direction, long count) {
		(direction == Direction.UPSTREAM ? httpUpstream : httpDownstream).increment(count);
	}

	public void hijackBytes(Direction direction, long count) {
		(direction == Direction.UPSTREAM ? hijacksUpstream : hijacksDownstream).increment(count);
	}

	public void hijackOpened(String endpoint) {
		openHijacks.incrementAndGet();
		registry.counter("berth.hijacked.connections", "endpoint", endpoint).increment();
	}

	public void hijackClosed() {
		openHijacks.decrementAndGet();
	}

}
