package berth.account;

import java.util.concurrent.Callable;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** Runs JDBC work on the bounded elastic scheduler, never on an event loop. */
final class Blocking {

	private Blocking() {
	}

	static <T> Mono<T> call(Callable<T> work) {
		return Mono.fromCallable(work).subscribeOn(Schedulers.boundedElastic());
	}

}
