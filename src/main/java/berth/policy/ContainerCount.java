package berth.policy;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import berth.account.TenantRef;
import berth.backend.Backends;

/** How many containers a tenant has on its engine (asked of the engine at create time only). */
@Component
class ContainerCount {

	private final Backends backends;

	private final JsonMapper json = JsonMapper.builder().build();

	ContainerCount(Backends backends) {
		this.backends = backends;
	}

	Mono<Integer> of(TenantRef tenant) {
		String filters = URLEncoder.encode("{\"label\":[\"" + ContainerRules.OWNER_LABEL + "=" + tenant.name() + "\"]}",
				StandardCharsets.UTF_8);
		return backends.engineFor(tenant)
			.flatMap(engine -> engine.http()
				.get()
				.uri("/containers/json?all=1&filters=" + filters)
				.responseSingle((response, body) -> body.asByteArray()))
			.map(bytes -> {
				JsonNode list = json.readTree(bytes);
				return list.isArray() ? list.size() : 0;
			});
	}

}
