package berth.policy;

import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * For features that make the engine fetch an image outside the request's own parameters, such as a
 * build's {@code FROM} line that names an image the engine does not have: the registry it would be
 * pulled from is held to {@link RegistryHosts} like a pull's, and a refusal is counted like any other.
 */
@Component
public class ImageSources {

	private final RegistryHosts registries;

	private final Refusals refusals;

	ImageSources(RegistryHosts registries, Refusals refusals) {
		this.registries = registries;
		this.refusals = refusals;
	}

	/**
	 * Completes when the engine may pull the reference from its registry (Docker Hub, a public
	 * registry, or one the operator allows); otherwise signals the refusal (rule {@code registry-host}).
	 */
	public Mono<Void> check(String tenant, String endpoint, String reference) {
		String registry = RegistryHosts.registryOf(reference);
		if (registry == null) {
			return Mono.empty();
		}
		return registries.refusal(registry)
			.flatMap(refusal -> Mono.fromRunnable(() -> refusals.forbid(tenant, endpoint, "registry-host", refusal)))
			.then();
	}

}
