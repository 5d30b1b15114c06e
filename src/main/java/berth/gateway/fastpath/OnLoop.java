package berth.gateway.fastpath;

import java.util.function.Consumer;

import io.netty.util.concurrent.EventExecutor;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;

/**
 * Hands what a Mono gives to code that belongs to an event loop: at once when it is given on that
 * loop (a cached answer usually is), else as a task on the loop. A Mono that completes empty is an
 * error; so is a failure of the value's own handler.
 */
final class OnLoop<T> implements CoreSubscriber<T> {

	private final EventExecutor loop;

	private final Consumer<T> onValue;

	private final Consumer<Throwable> onError;

	private boolean answered;

	private OnLoop(EventExecutor loop, Consumer<T> onValue, Consumer<Throwable> onError) {
		this.loop = loop;
		this.onValue = onValue;
		this.onError = onError;
	}

	static <T> void subscribe(Mono<T> mono, EventExecutor loop, Consumer<T> onValue, Consumer<Throwable> onError) {
		mono.subscribe(new OnLoop<>(loop, onValue, onError));
	}

	@Override
	public void onSubscribe(Subscription subscription) {
		subscription.request(Long.MAX_VALUE);
	}

	@Override
	public void onNext(T value) {
		answered = true;
		run(() -> {
			try {
				onValue.accept(value);
			}
			catch (RuntimeException e) {
				onError.accept(e);
			}
		});
	}

	@Override
	public void onError(Throwable error) {
		if (!answered) {
			answered = true;
			run(() -> onError.accept(error));
		}
	}

	@Override
	public void onComplete() {
		if (!answered) {
			answered = true;
			run(() -> onError.accept(new IllegalStateException("completed without an answer")));
		}
	}

	private void run(Runnable task) {
		if (loop.inEventLoop()) {
			task.run();
		}
		else {
			loop.execute(task);
		}
	}

}
