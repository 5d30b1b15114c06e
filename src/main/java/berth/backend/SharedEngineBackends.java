package berth.backend;

import java.util.List;

import jakarta.annotation.PreDestroy;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

import berth.account.TenantRef;

/** The default backend: every tenant is served by one shared engine. */
@Component
class SharedEngineBackends implements Backends {

	private final Engine shared;

	private final Mono<Engine> answer;

	SharedEngineBackends(BackendProperties properties) {
		this.shared = new Engine("shared", EngineAddress.parse(properties.dockerHost()), Engine.Kind.SHARED);
		this.answer = Mono.just(shared);
	}

	@Override
	public Mono<Engine> engineFor(TenantRef tenant) {
		return answer;
	}

	@Override
	public List<Engine> engines() {
		return List.of(shared);
	}

	@PreDestroy
	void close() {
		shared.dispose();
	}

}
