package berth.policy;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

import berth.account.TenantRef;
import berth.backend.Backends;
import berth.backend.EngineClient;

/** How many containers a tenant has on its engine (asked of the engine at create time only). */
@Component
class ContainerCount {

	private final Backends backends;

	ContainerCount(Backends backends) {
		this.backends = backends;
	}

	Mono<Integer> of(TenantRef tenant) {
		String filters = URLEncoder.encode("{\"label\":[\"" + ContainerRules.OWNER_LABEL + "=" + tenant.name() + "\"]}",
				StandardCharsets.UTF_8);
		return backends.engineFor(tenant)
			.flatMap(engine -> EngineClient.count(engine, "/containers/json?all=1&filters=" + filters));
	}

}
