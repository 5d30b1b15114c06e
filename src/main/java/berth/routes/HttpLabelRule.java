package berth.routes;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import berth.PlatformProperties;
import berth.policy.BodyRule;
import berth.web.DockerApiException;

/**
 * Refuses a container whose route label breaks the contract when it is created, so the user reads
 * why in the docker CLI instead of finding no route later: malformed labels are a 400, hosts the
 * tenant may not route a 403. Custom domains are looked up in a cache, never on the event loop.
 */
@Component
@Order(110)
class HttpLabelRule implements BodyRule {

	static final String CONTAINER_CREATE = "POST /containers/create";

	private final Hostnames hostnames;

	private final TenantDomains domains;

	HttpLabelRule(PlatformProperties platform, TenantDomains domains) {
		this.hostnames = new Hostnames(platform.domain());
		this.domains = domains;
	}

	@Override
	public boolean appliesTo(String endpoint) {
		return CONTAINER_CREATE.equals(endpoint);
	}

	@Override
	public Mono<Void> apply(Request request, ObjectNode body) {
		return Mono.defer(() -> {
			List<String> custom = customDomains(request.tenant().name(), body.get("Labels"));
			if (custom.isEmpty()) {
				return Mono.empty();
			}
			String tenant = request.tenant().name();
			return domains.of(request.tenant().id()).flatMap(registered -> {
				for (String domain : custom) {
					if (!registered.contains(domain)) {
						return Mono.error(new DockerApiException(HttpStatus.FORBIDDEN, "custom domain '" + domain
								+ "' is not registered for tenant '" + tenant
								+ "'; an operator registers it (POST /api/v1/tenants/" + tenant + "/domains)"));
					}
				}
				return Mono.empty();
			});
		});
	}

	/** Checks everything that needs no lookup; answers the custom domains left to check. */
	List<String> customDomains(String tenant, @Nullable JsonNode labels) {
		if (labels == null || labels.isNull()) {
			return List.of();
		}
		if (!labels.isObject()) {
			throw new DockerApiException(HttpStatus.BAD_REQUEST, "Labels must be an object of strings");
		}
		Map<String, String> routeLabels = new HashMap<>();
		for (String name : List.of(HttpLabels.LABEL, HttpLabels.SYNONYM)) {
			JsonNode value = labels.get(name);
			if (value != null && !value.isNull()) {
				if (!value.isString()) {
					throw new DockerApiException(HttpStatus.BAD_REQUEST, "label " + name + " must be a string");
				}
				routeLabels.put(name, value.stringValue());
			}
		}
		List<HttpLabels.Entry> entries;
		try {
			String value = HttpLabels.value(routeLabels);
			entries = value == null ? List.of() : HttpLabels.parse(value);
		}
		catch (HttpLabels.Invalid invalid) {
			throw new DockerApiException(HttpStatus.BAD_REQUEST, invalid.getMessage());
		}
		Set<String> hosts = new HashSet<>();
		List<String> custom = new ArrayList<>();
		for (HttpLabels.Entry entry : entries) {
			String host = hostnames.expand(tenant, entry);
			if (!Hostnames.isDomainName(host)) {
				throw new DockerApiException(HttpStatus.BAD_REQUEST, "host '" + host + "' is longer than a DNS name may be");
			}
			if (!hosts.add(host)) {
				throw new DockerApiException(HttpStatus.BAD_REQUEST, HttpLabels.LABEL + " names host '" + host + "' twice");
			}
			if (entry.isKeyword() || hostnames.isOwnSubdomain(tenant, host)) {
				continue;
			}
			if (hostnames.placeOf(host).kind() != Hostnames.Kind.OUTSIDE) {
				throw new DockerApiException(HttpStatus.FORBIDDEN, "host '" + host + "' lies under the platform domain "
						+ hostnames.domain() + " but outside your subdomain " + tenant + "." + hostnames.domain()
						+ "; use a keyword (e.g. front:80) for names there");
			}
			custom.add(host);
		}
		return custom;
	}

}
