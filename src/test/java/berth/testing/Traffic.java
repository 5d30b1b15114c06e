package berth.testing;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * A client that keeps asking while a dependency goes away and comes back: one request every 50 ms,
 * at most 2,000 of them, each answer's status counted ({@link #NO_ANSWER} for none). For fault tests, which stop a dependency
 * "under traffic" and then check what every request was told.
 */
public final class Traffic implements AutoCloseable {

	/** The status counted for a request that got no answer at all (a connection cut or refused). */
	public static final int NO_ANSWER = 0;

	private final Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();

	private final List<Throwable> failures = new CopyOnWriteArrayList<>();

	private final AtomicBoolean running = new AtomicBoolean(true);

	private final Thread loop;

	/** Starts sending; {@code request} sends one request and answers its status. */
	public Traffic(IntSupplier request) {
		loop = Thread.ofVirtual().start(() -> {
			for (int i = 0; i < 2_000 && running.get(); i++) {
				int status;
				try {
					status = request.getAsInt();
				}
				catch (RuntimeException e) {
					failures.add(e);
					status = NO_ANSWER;
				}
				statuses.computeIfAbsent(status, counted -> new AtomicInteger()).incrementAndGet();
				try {
					Thread.sleep(50);
				}
				catch (InterruptedException e) {
					return;
				}
			}
		});
	}

	/** How many answers of each status so far. */
	public Map<Integer, Integer> statuses() {
		Map<Integer, Integer> counts = new TreeMap<>();
		statuses.forEach((status, count) -> counts.put(status, count.get()));
		return counts;
	}

	/** Forgets the answers so far: the next check sees only what comes after. */
	public void reset() {
		statuses.clear();
	}

	/** Why requests got no answer, for the messages of failed checks. */
	public List<Throwable> failures() {
		return failures;
	}

	@Override
	public void close() throws InterruptedException {
		running.set(false);
		loop.join(Duration.ofSeconds(30));
	}

}
