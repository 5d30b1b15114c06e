package berth.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

class CreateTurnsTest {

	private final CreateTurns turns = new CreateTurns(Duration.ofMillis(300));

	@Test
	void aTenantsCreatesTakeTurnsInOrderWhileOtherTenantsGoAhead() {
		List<String> granted = new CopyOnWriteArrayList<>();
		List<Runnable> ends = new ArrayList<>();
		for (String create : List.of("a1", "a2", "a3")) {
			turns.next("acme").subscribe(end -> {
				granted.add(create);
				ends.add(end);
			});
		}
		turns.next("bob").subscribe(end -> granted.add("b1"));
		assertThat(granted).containsExactly("a1", "b1");
		ends.get(0).run();
		ends.get(0).run(); // a turn ends once
		assertThat(granted).containsExactly("a1", "b1", "a2");
		ends.get(1).run();
		assertThat(granted).containsExactly("a1", "b1", "a2", "a3");
		ends.get(2).run();
		assertThat(turns.busyTenants()).isEqualTo(1); // bob never ended his
	}

	@Test
	void aCreateThatStopsWaitingLeavesTheQueue() {
		List<String> granted = new CopyOnWriteArrayList<>();
		List<Runnable> ends = new ArrayList<>();
		turns.next("acme").subscribe(end -> {
			granted.add("first");
			ends.add(end);
		});
		Disposable gone = turns.next("acme").subscribe(end -> granted.add("gone"));
		turns.next("acme").subscribe(end -> granted.add("third"));
		gone.dispose();
		ends.get(0).run();
		assertThat(granted).containsExactly("first", "third");
	}

	@Test
	void aTurnNeverEndedEndsWithItsLease() throws InterruptedException {
		List<String> granted = new CopyOnWriteArrayList<>();
		turns.next("acme").subscribe(end -> granted.add("lost"));
		turns.next("acme").subscribe(end -> granted.add("next"));
		assertThat(granted).containsExactly("lost");
		long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
		while (granted.size() < 2 && System.nanoTime() < deadline) {
			Thread.sleep(20);
		}
		assertThat(granted).containsExactly("lost", "next");
	}

}
