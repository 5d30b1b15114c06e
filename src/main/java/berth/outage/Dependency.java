package berth.outage;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service the control plane needs and the data plane can do without for a while, seen from Berth:
 * up, or down since a given moment. {@link LastKnown} caches tell it what their loads found, serve
 * what they last knew while it is down, and report each stale answer here, so that the operator gets
 * one log line when Berth starts answering from stale data, a reminder each minute, one when the
 * dependency is back (with how long it lasted), and the meters {@code berth_dependency_up},
 * {@code berth_serving_stale_seconds} and {@code berth_stale_answers_total}.
 *
 * <p>While it is down, nothing asks it for data: a {@link #probe} (run every second by
 * {@link Probes}) is the only traffic, and the first probe or load that succeeds marks it up again.
 * So an outage costs requests no waiting on connection timeouts, and the return is seen within a
 * second.
 */
public abstract class Dependency {

	private static final Logger log = LoggerFactory.getLogger(Dependency.class);

	private static final Duration REMINDER = Duration.ofMinutes(1);

	/** An outage as it goes: when it began, when stale answers began, how many were given. */
	private record Outage(Instant since, String cause, @Nullable Instant staleSince, long staleAnswers,
			Instant reminded) {
	}

	private final String name;

	private final String unavailableMessage;

	private final Duration retryAfter;

	private final Clock clock;

	private final MeterRegistry registry;

	private final AtomicReference<@Nullable Outage> outage = new AtomicReference<>();

	/**
	 * @param name how the operator knows it, in logs and as the meters' {@code dependency} tag
	 * @param unavailableMessage what a client is told when it asks for something nobody knows
	 * @param retryAfter when a client refused with a 503 is told to ask again
	 */
	protected Dependency(String name, String unavailableMessage, Duration retryAfter, MeterRegistry registry,
			Clock clock) {
		this.name = name;
		this.unavailableMessage = unavailableMessage;
		this.retryAfter = retryAfter;
		this.clock = clock;
		this.registry = registry;
		Gauge.builder("berth.dependency.up", this, dependency -> dependency.isDown() ? 0 : 1)
			.description("1 while Berth reaches the dependency, 0 while it does not")
			.tag("dependency", name)
			.register(registry);
		Gauge.builder("berth.serving.stale", this, dependency -> dependency.servingStaleFor().toMillis() / 1000.0)
			.description("how long Berth has been answering from stale data, 0 when it is not")
			.baseUnit("seconds")
			.tag("dependency", name)
			.register(registry);
	}

	public String name() {
		return name;
	}

	/** Whether the dependency failed and has not answered since: then nothing waits on it. */
	public boolean isDown() {
		return outage.get() != null;
	}

	/**
	 * Whether a failure means that the dependency is away (rather than a mistake in a request); a
	 * dependency that does not answer in time is always away.
	 */
	protected abstract boolean isOutage(Throwable failure);

	/** Asks the dependency whether it is back; throws when it is not. Blocking. */
	protected abstract void check() throws Exception;

	/** The refusal for what cannot be answered while the dependency is away. */
	public Unavailable unavailable() {
		return new Unavailable(unavailableMessage, retryAfter);
	}

	/**
	 * Records a failure; returns whether it was an outage (then the dependency is down from now on).
	 * Other failures leave the state as it is.
	 */
	public boolean failed(Throwable failure) {
		Throwable cause = unwrap(failure);
		if (!(cause instanceof TimeoutException) && !isOutage(cause)) {
			return false;
		}
		Instant now = clock.instant();
		Outage began = new Outage(now, describe(cause), null, 0, now);
		if (outage.compareAndSet(null, began)) {
			log.warn("{} is unreachable ({}): answering from what was last known, refusing the rest with 503", name,
					began.cause());
		}
		return true;
	}

	/** Records an answer: an outage, if there was one, is over. */
	public void answered() {
		if (outage.get() == null) {
			return;
		}
		Outage ended = outage.getAndSet(null);
		if (ended == null) {
			return;
		}
		Instant now = clock.instant();
		if (ended.staleSince() == null) {
			log.info("{} is reachable again after {}; no stale answer was given", name, seconds(ended.since(), now));
		}
		else {
			log.warn("{} is reachable again after {}; {} answers came from stale data over {}", name,
					seconds(ended.since(), now), ended.staleAnswers(), seconds(ended.staleSince(), now));
		}
	}

	/** The counter of a cache's stale answers. */
	Counter staleAnswers(String cache) {
		return Counter.builder("berth.stale.answers")
			.description("answers given from data older than its cache's time to live, while a dependency was down")
			.tag("dependency", name)
			.tag("cache", cache)
			.register(registry);
	}

	/** Records an answer a cache gave from data older than its time to live, because this is down. */
	void servedStale(String cache) {
		Outage updated = outage.updateAndGet(current -> current == null ? null
				: new Outage(current.since(), current.cause(),
						current.staleSince() == null ? clock.instant() : current.staleSince(), current.staleAnswers() + 1,
						current.reminded()));
		if (updated != null && updated.staleAnswers() == 1) {
			log.warn("{} is unreachable since {}: serving stale data ({}) from now on", name, updated.since(), cache);
		}
	}

	/** When the current outage began; null while the dependency answers. */
	public @Nullable Instant downSince() {
		Outage current = outage.get();
		return current == null ? null : current.since();
	}

	/** The failure that began the current outage, as logged; null while the dependency answers. */
	public @Nullable String downCause() {
		Outage current = outage.get();
		return current == null ? null : current.cause();
	}

	/** How long stale answers have been given in this outage; zero when none were. */
	public Duration servingStaleFor() {
		Outage current = outage.get();
		if (current == null || current.staleSince() == null) {
			return Duration.ZERO;
		}
		return Duration.between(current.staleSince(), clock.instant());
	}

	/** While down: asks whether it is back, and reminds the operator once a minute. Blocking. */
	void probe() {
		Outage current = outage.get();
		if (current == null) {
			return;
		}
		try {
			check();
			answered();
			return;
		}
		catch (Exception e) {
			// still away: the next probe asks again
		}
		Instant now = clock.instant();
		if (Duration.between(current.reminded(), now).compareTo(REMINDER) >= 0) {
			Outage reminded = new Outage(current.since(), current.cause(), current.staleSince(), current.staleAnswers(),
					now);
			if (outage.compareAndSet(current, reminded)) {
				log.warn("{} is still unreachable, for {}; stale answers for {}, {} so far", name,
						seconds(current.since(), now), servingStaleFor(), current.staleAnswers());
			}
		}
	}

	static Throwable unwrap(Throwable failure) {
		Throwable cause = failure;
		while (cause instanceof CompletionException && cause.getCause() != null) {
			cause = cause.getCause();
		}
		return cause;
	}

	private static String describe(Throwable cause) {
		String message = cause.getMessage();
		return cause.getClass().getSimpleName() + (message == null ? "" : ": " + firstLine(message));
	}

	private static String firstLine(String message) {
		int end = message.indexOf('\n');
		return end < 0 ? message : message.substring(0, end);
	}

	private static String seconds(Instant from, Instant to) {
		return Duration.between(from, to).toSeconds() + " s";
	}

}
