package berth.policy;

import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Where the engine may fetch images from: the registry of a pull, push, search or login, and of
 * an image that another feature makes the engine fetch (a build's {@code FROM} line that names an
 * image the engine does not have), is held to {@link RegistryHosts}, and a refusal is counted like
 * any other.
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
		return registry == null ? Mono.empty() : checkRegistry(tenant, endpoint, registry);
	}

	/** The same for a registry host itself (a login's server address, a pull's registry). */
	Mono<Void> checkRegistry(String tenant, String endpoint, String registry) {
		return registries.refusal(registry)
			.flatMap(refusal -> Mono.fromRunnable(() -> refusals.forbid(tenant, endpoint, "registry-host", refusal)))
			.then();
	}

}
