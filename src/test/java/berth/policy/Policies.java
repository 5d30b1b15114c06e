package berth.policy;

import java.util.List;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.springframework.util.unit.DataSize;
import reactor.core.publisher.Mono;

/**
 * A policy built from its real parts for unit tests outside this package (the admission's): enforcing,
 * JSON bodies up to 1 MiB, BuildKit off, the tenant on the standard plan with no containers yet, and
 * the registries {@link PolicyFixturesTest#REGISTRIES} knows. Only the rules that need no engine.
 */
public final class Policies {

	private Policies() {
	}

	public static Policy enforcing() {
		PolicyProperties properties = new PolicyProperties(PolicyProperties.Mode.ENFORCE, DataSize.ofMegabytes(1),
				true, false);
		Refusals refusals = new Refusals(new SimpleMeterRegistry(), properties);
		ImageSources sources = new ImageSources(PolicyFixturesTest.REGISTRIES, refusals);
		List<BodyRule> rules = List.of(
				new ContainerRules(refusals, tenant -> Mono.just(PolicyFixturesTest.STANDARD), tenant -> Mono.just(0),
						new CreateTurns(), true),
				new ObjectRules(refusals), new LoginRules(sources));
		return new Policy(refusals, rules, properties, sources);
	}

}
