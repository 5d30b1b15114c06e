package berth.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * What has to happen once the engine has answered a request the policy checked, whatever the answer
 * (or none): a rule that holds something for the request (a tenant's turn to create a container)
 * leaves its release here. The gateway puts one in the Reactor context of the body check and runs it
 * when the exchange is over.
 */
public final class AfterAnswer {

	private final List<Runnable> releases = new ArrayList<>(1);

	private boolean done;

	/** Runs {@code release} when the exchange is over, or now if it already is. */
	void add(Runnable release) {
		boolean now;
		synchronized (this) {
			now = done;
			if (!now) {
				releases.add(release);
			}
		}
		if (now) {
			release.run();
		}
	}

	/** The exchange is over: every release runs, once. */
	public void run() {
		List<Runnable> due;
		synchronized (this) {
			done = true;
			due = List.copyOf(releases);
			releases.clear();
		}
		due.forEach(Runnable::run);
	}

}
