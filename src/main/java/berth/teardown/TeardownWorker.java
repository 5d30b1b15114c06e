package berth.teardown;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;

import berth.account.TenantRef;
import berth.backend.BackendTeardown;
import berth.backend.BackendTeardown.TornDown;
import berth.outage.Database;

/**
 * Tears down deleted tenants' backends, on every replica. Each poll claims the due teardowns one by
 * one by a lease and runs every {@link BackendTeardown} for each, on a thread of its own (never an
 * event loop; a slow engine delays only teardowns). An attempt that succeeds finishes the teardown and
 * frees the name; one that fails is recorded with its error and retried after a wait that doubles up
 * to {@code berth.teardown.max-retry}, for as long as it takes: a failure is never dropped. Each
 * attempt is counted ({@code berth_teardown_attempts_total{outcome}}) and written to the audit log.
 * The work comes from the {@code teardown} table, not from a {@code TenantDeleted} listener: an event
 * dies with the replica that published it, a row written with the deletion does not.
 */
@Component
class TeardownWorker {

	private static final Logger log = LoggerFactory.getLogger(TeardownWorker.class);

	private static final Logger audit = LoggerFactory.getLogger("berth.audit");

	/** The most teardowns one poll takes on, so that a backlog is shared among replicas. */
	private static final int PER_POLL = 20;

	/** The longest error text kept for the admin API. */
	private static final int MAX_ERROR = 2000;

	private final Teardowns teardowns;

	private final List<BackendTeardown> backends;

	/** The kinds of backend ({@code plan.backend}) whose teardowns this replica takes on. */
	private final Set<String> kinds;

	private final TeardownProperties properties;

	private final Database database;

	private final Counter finished;

	private final Counter failed;

	private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(work -> {
		Thread named = new Thread(work, "berth-teardown");
		named.setDaemon(true);
		return named;
	});

	TeardownWorker(Teardowns teardowns, List<BackendTeardown> backends, TeardownProperties properties,
			Database database, MeterRegistry meters) {
		this.teardowns = teardowns;
		this.backends = List.copyOf(backends);
		this.kinds = this.backends.stream().map(BackendTeardown::planBackend).collect(Collectors.toUnmodifiableSet());
		this.properties = properties;
		this.database = database;
		// registered at start, so that an alert on failures sees a zero before the first one
		this.finished = meters.counter("berth.teardown.attempts", "outcome", "finished");
		this.failed = meters.counter("berth.teardown.attempts", "outcome", "failed");
	}

	@EventListener(ApplicationReadyEvent.class)
	void start() {
		if (!properties.enabled()) {
			log.info("teardowns are left to other replicas (berth.teardown.enabled=false)");
			return;
		}
		long every = properties.pollInterval().toMillis();
		thread.scheduleWithFixedDelay(this::poll, every, every, TimeUnit.MILLISECONDS);
	}

	@PreDestroy
	void stop() {
		thread.shutdownNow();
	}

	void poll() {
		if (database.isDown()) {
			return;
		}
		try {
			for (int i = 0; i < PER_POLL && !thread.isShutdown(); i++) {
				Optional<Teardowns.Claimed> claimed = teardowns.claimDue(properties.lease(), kinds);
				if (claimed.isEmpty()) {
					return;
				}
				attempt(claimed.get());
			}
		}
		catch (RuntimeException e) {
			// the next poll tries again; a claimed teardown whose outcome was not written is retried
			// once its lease has run out
			database.failed(e);
			log.warn("teardown poll failed: {}", e.toString());
		}
	}

	private void attempt(Teardowns.Claimed claimed) {
		TenantRef tenant = new TenantRef(claimed.tenantId(), claimed.name());
		List<TornDown> done;
		try {
			done = Flux.fromIterable(backends)
				.concatMap(backend -> backend.tearDown(tenant))
				.collectList()
				.block(properties.lease().minus(properties.lease().dividedBy(10)));
		}
		catch (RuntimeException failure) {
			if (thread.isShutdown()) {
				// shutting down: not a failure of the teardown, which is taken up again once the lease runs out
				log.info("stopped during the teardown of deleted tenant {}; it resumes once its lease has run out",
						claimed.name());
				return;
			}
			failed(claimed, failure);
			return;
		}
		boolean recorded = teardowns.finished(claimed);
		finished.increment();
		audit.info("teardown finished tenant={} id={} attempt={} removed={}{}", claimed.name(), claimed.tenantId(),
				claimed.attempt(), done, recorded ? "; the name is free again" : "; the lease had run out, not recorded");
	}

	private void failed(Teardowns.Claimed claimed, Throwable failure) {
		String error = describe(failure);
		Duration retryAfter = properties.retryAfter(claimed.attempt());
		boolean recorded = teardowns.failed(claimed, error, retryAfter);
		failed.increment();
		audit.info("teardown failed tenant={} id={} attempt={} retry_in={} error=\"{}\"{}", claimed.name(),
				claimed.tenantId(), claimed.attempt(), retryAfter, error,
				recorded ? "" : "; the lease had run out, not recorded");
		log.warn("teardown of deleted tenant {} failed (attempt {}), retrying in {}: {}", claimed.name(),
				claimed.attempt(), retryAfter, error);
	}

	static String describe(Throwable failure) {
		Throwable shown = failure;
		// block() wraps checked exceptions, and reports a timeout in words of its own
		while (shown.getCause() != null && shown.getMessage() != null && shown.getMessage().startsWith("java.")) {
			shown = shown.getCause();
		}
		String message = shown.getMessage() == null ? shown.getClass().getSimpleName() : shown.getMessage();
		if (message.startsWith("Timeout on blocking read")) {
			message = "the attempt took longer than its lease allows; it was cancelled";
		}
		return message.length() > MAX_ERROR ? message.substring(0, MAX_ERROR) + "..." : message;
	}

}
