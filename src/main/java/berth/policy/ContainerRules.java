package berth.policy;

import java.util.List;
import java.util.Map;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import berth.account.TenantRef;

/**
 * What a tenant may ask of a container: the HostConfig table, the plan's limits, who it runs as and
 * where it starts, and Berth's own labels. Also exec (no privileged execs, the same user and working
 * directory rules), update (limits within the plan) and commit (the image's working directory and
 * healthcheck, which its containers inherit).
 */
@Component
@Order(0)
class ContainerRules implements BodyRule {

	/** Labels Berth sets itself; tenants may not. */
	static final String OWNER_LABEL = "berth.tenant";

	private final Refusals refusals;

	/** A tenant's plan. */
	interface PlanLookup {

		Mono<Plan> of(TenantRef tenant);

	}

	/** How many containers a tenant has. */
	interface ContainerCounter {

		Mono<Integer> of(TenantRef tenant);

	}

	private final PlanLookup plans;

	private final ContainerCounter containers;

	private final boolean allowRoot;

	private final CreateTurns turns;

	@Autowired
	ContainerRules(Refusals refusals, PlanCache plans, ContainerCount containers, CreateTurns turns,
			PolicyProperties properties) {
		this(refusals, plans::of, containers::of, turns, properties.allowRoot());
	}

	ContainerRules(Refusals refusals, PlanLookup plans, ContainerCounter containers, CreateTurns turns,
			boolean allowRoot) {
		this.refusals = refusals;
		this.plans = plans;
		this.containers = containers;
		this.turns = turns;
		this.allowRoot = allowRoot;
	}

	@Override
	public boolean appliesTo(String endpoint) {
		return switch (endpoint) {
			case "POST /containers/create", "POST /containers/{id}/update", "POST /containers/{id}/exec",
					"POST /commit" ->
				true;
			default -> false;
		};
	}

	@Override
	public Mono<Void> apply(Request request, ObjectNode body) {
		HostConfigRules.Verdict verdict = (rule, message) -> refusals.forbid(request.tenant().name(), request.endpoint(),
				rule, message);
		return switch (request.endpoint()) {
			case "POST /containers/create" -> create(request, body, verdict);
			case "POST /containers/{id}/update" -> plans.of(request.tenant())
				.doOnNext(plan -> Quotas.check(body, plan, verdict))
				.then();
			case "POST /commit" -> {
				workingDir(body, verdict);
				yield plans.of(request.tenant()).doOnNext(plan -> Quotas.healthcheck(body.get("Healthcheck"), plan, verdict))
					.then();
			}
			default -> Mono.fromRunnable(() -> {
				execContainer(request, body);
				exec(body, verdict);
			});
		};
	}

	private Mono<Void> create(Request request, ObjectNode body, HostConfigRules.Verdict verdict) {
		JsonNode given = body.get("HostConfig");
		ObjectNode hostConfig = given instanceof ObjectNode object ? object : body.putObject("HostConfig");
		HostConfigRules.check(hostConfig, verdict);
		networkShortcut(request, body, hostConfig);
		boundedLogs(hostConfig);
		user(body.get("User"), verdict);
		workingDir(body, verdict);
		labels(body, request.tenant().name(), verdict);
		return plans.of(request.tenant()).flatMap(plan -> {
			Quotas.applyToCreate(hostConfig, plan, verdict);
			Quotas.healthcheck(body.get("Healthcheck"), plan, verdict);
			// counted in the tenant's turn, which ends with the engine's answer (AfterAnswer), so that
			// concurrent creates do not all count the same containers
			return Mono.deferContextual(context -> turns.next(request.tenant().name()).flatMap(end -> {
				context.<AfterAnswer>getOrEmpty(AfterAnswer.class).ifPresentOrElse(after -> after.add(end), end);
				return containers.of(request.tenant()).doOnNext(count -> {
					if (count >= plan.maxContainers()) {
						verdict.refuse("quota-containers", "tenant '" + request.tenant().name()
								+ "' has reached its plan '" + plan.name() + "' limit of " + plan.maxContainers()
								+ " containers");
					}
				});
			}));
		}).then();
	}

	/**
	 * {@code NetworkingConfig: {"net": null}}, which docker-py sends for {@code network="net"} beside
	 * {@code NetworkMode: "net"}: the engine ignores keys other than {@code EndpointsConfig}. Such a key
	 * is accepted when it names the network of {@code NetworkMode}, and taken out.
	 */
	private void networkShortcut(Request request, ObjectNode body, ObjectNode hostConfig) {
		if (!(body.get("NetworkingConfig") instanceof ObjectNode networking)) {
			return;
		}
		String mode = Values.text(hostConfig.get("NetworkMode"));
		for (String key : List.copyOf(networking.propertyNames())) {
			if (key.equals("EndpointsConfig")) {
				continue;
			}
			if (!key.equals(mode)) {
				throw refused(request, PolicyRefusal.malformed("networking-config", "NetworkingConfig." + key
						+ " names another network than HostConfig.NetworkMode (" + mode + ")"));
			}
			networking.remove(key);
			refusals.dropped(request.tenant().name(), request.endpoint(), "NetworkingConfig." + key,
					"ignored by the engine; repeats HostConfig.NetworkMode");
		}
	}

	/**
	 * An exec's {@code Container} (docker-py) or {@code containerId} (docker-java): the engine ignores
	 * them, as the path says which container. Accepted when they name the container of the path, and
	 * taken out.
	 */
	private void execContainer(Request request, ObjectNode body) {
		String[] segments = request.path().split("/");
		String inPath = segments.length >= 2 ? segments[segments.length - 2] : "";
		for (String field : List.of("Container", "ContainerId")) {
			JsonNode given = body.remove(field);
			if (given == null || given.isNull()) {
				continue;
			}
			String named = Values.text(given);
			if (!named.equals(inPath) && !named.equals("/" + inPath)) {
				throw refused(request, PolicyRefusal.malformed("exec-container", "ExecConfig." + field + " (" + named
						+ ") names another container than the path (" + inPath + ")"));
			}
			refusals.dropped(request.tenant().name(), request.endpoint(), "ExecConfig." + field,
					"ignored by the engine; repeats the path");
		}
	}

	private PolicyRefusal refused(Request request, PolicyRefusal refusal) {
		refusals.record(request.tenant().name(), request.endpoint(), refusal);
		return refusal;
	}

	/** A log flood must not fill the engine's disk: json-file logs are rotated unless the tenant chose sizes. */
	static void boundedLogs(ObjectNode hostConfig) {
		JsonNode given = hostConfig.get("LogConfig");
		ObjectNode logConfig = given instanceof ObjectNode object ? object : hostConfig.putObject("LogConfig");
		String driver = Values.text(logConfig.get("Type"));
		if (driver.isEmpty()) {
			logConfig.put("Type", "json-file");
			driver = "json-file";
		}
		JsonNode options = logConfig.get("Config");
		ObjectNode config = options instanceof ObjectNode object ? object : logConfig.putObject("Config");
		if (driver.equals("json-file") || driver.equals("local")) {
			if (!config.has("max-size")) {
				config.put("max-size", "10m");
			}
			if (!config.has("max-file")) {
				config.put("max-file", "3");
			}
		}
	}

	private void exec(ObjectNode body, HostConfigRules.Verdict verdict) {
		if (!Values.zero(body.get("Privileged"))) {
			verdict.refuse("privileged", "privileged exec is not allowed");
		}
		user(body.get("User"), verdict);
		workingDir(body, verdict);
	}

	private void user(JsonNode user, HostConfigRules.Verdict verdict) {
		if (!allowRoot && ProcessRules.isRoot(Values.text(user))) {
			verdict.refuse("root", "running as root (User " + Values.text(user) + ") is not allowed");
		}
	}

	private static void workingDir(ObjectNode body, HostConfigRules.Verdict verdict) {
		String refusal = ProcessRules.workingDir(body.get("WorkingDir"));
		if (refusal != null) {
			verdict.refuse("proc-workdir", refusal);
		}
	}

	/** Tenants may set any label but Berth's own; Berth marks the owner. */
	static void labels(ObjectNode body, String tenant, HostConfigRules.Verdict verdict) {
		JsonNode given = body.get("Labels");
		ObjectNode labels = given instanceof ObjectNode object ? object : body.putObject("Labels");
		for (Map.Entry<String, JsonNode> label : labels.properties()) {
			String key = label.getKey();
			if (key.startsWith("berth.") && !key.equals("berth.http")) {
				verdict.refuse("reserved-label", "labels under berth. are reserved for Berth (" + key + ")");
			}
		}
		labels.put(OWNER_LABEL, tenant);
	}

}
