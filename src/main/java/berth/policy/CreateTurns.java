package berth.policy;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * One container create at a time per tenant, from the count of its containers to the engine's answer:
 * concurrent creates (docker-compose starts services side by side) would otherwise all count the same
 * containers and together go past the plan's limit. A turn is a {@link Runnable} that ends it. A turn
 * not ended within {@link #LEASE} ends by itself, so a turn lost on the way (a client gone at the
 * wrong moment) or an engine that never answers holds the tenant's next creates up for that long at
 * most. Within one Berth instance only.
 */
@Component
class CreateTurns {

	private static final Logger log = LoggerFactory.getLogger(CreateTurns.class);

	static final Duration LEASE = Duration.ofSeconds(30);

	/** Per tenant: the create holding the turn first, then those waiting, in order. */
	private final Map<String, ArrayDeque<MonoSink<Runnable>>> queues = new HashMap<>();

	private final Duration lease;

	CreateTurns() {
		this(LEASE);
	}

	CreateTurns(Duration lease) {
		this.lease = lease;
	}

	/** The tenant's turn, once every create ahead of it has ended its own. */
	Mono<Runnable> next(String tenant) {
		return Mono.create(sink -> {
			boolean first;
			synchronized (queues) {
				ArrayDeque<MonoSink<Runnable>> queue = queues.computeIfAbsent(tenant, t -> new ArrayDeque<>(2));
				queue.add(sink);
				first = queue.size() == 1;
			}
			sink.onCancel(() -> leave(tenant, sink));
			if (first) {
				grant(tenant, sink);
			}
		});
	}

	private void grant(String tenant, MonoSink<Runnable> holder) {
		AtomicBoolean ended = new AtomicBoolean();
		Disposable[] expiry = new Disposable[1];
		Runnable end = () -> {
			if (ended.compareAndSet(false, true)) {
				if (expiry[0] != null) {
					expiry[0].dispose();
				}
				leave(tenant, holder);
			}
		};
		expiry[0] = Mono.delay(lease).subscribe(tick -> {
			if (!ended.get()) {
				log.warn("tenant {}: a container create held its turn for {}; the next one goes ahead", tenant, lease);
				end.run();
			}
		});
		holder.success(end);
	}

	/** A create leaves the queue (its turn ended, or it stopped waiting); the next one gets the turn. */
	private void leave(String tenant, MonoSink<Runnable> sink) {
		MonoSink<Runnable> next = null;
		synchronized (queues) {
			ArrayDeque<MonoSink<Runnable>> queue = queues.get(tenant);
			if (queue == null) {
				return;
			}
			boolean wasFirst = queue.peekFirst() == sink;
			if (!queue.remove(sink)) {
				return;
			}
			if (queue.isEmpty()) {
				queues.remove(tenant);
			}
			else if (wasFirst) {
				next = queue.peekFirst();
			}
		}
		if (next != null) {
			grant(tenant, next);
		}
	}

	/** How many tenants have a create under way or waiting. */
	int busyTenants() {
		synchronized (queues) {
			return queues.size();
		}
	}

}
