package berth.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.context.properties.bind.Binder;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;

import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The Helm chart, linted and rendered by Helm's own engine (helm-java bundles it as a native library), then
 * read back as Kubernetes would read it: no cluster, no network. Each optional part of the chart is turned
 * on once, and every rendering passes the same structural checks (secrets referenced exist or are named by
 * the operator, service ports reach container ports, every environment variable binds to the Berth
 * setting meant).
 */
class HelmChartTest {

	static final Path CHART = Path.of("helm/berth");

	static final YAMLMapper YAML = YAMLMapper.builder().build();

	static final String PEM_CERT = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";

	static final String PEM_KEY = "-----BEGIN PRIVATE KEY-----\nMIGHfake\n-----END PRIVATE KEY-----\n";

	/**
	 * Helm-java's template runs as a dry-run install that still asks a cluster for {@code lookup} (which
	 * the chart uses to keep generated secrets on upgrades). It gets an empty cluster of the test's own on
	 * loopback, which can also be given secrets, as a cluster would have them after an install.
	 */
	static final EmptyCluster CLUSTER = EmptyCluster.start();

	@TempDir
	Path temp;

	@Test
	void lintsStrictlyWithTheDefaultValues() {
		LintResult lint = new Helm(CHART).lint().strict().call();
		assertThat(lint.isFailed()).as("helm lint --strict: %s", lint.getMessages()).isFalse();
	}

	static Stream<Map<String, Object>> optionalParts() {
		return Stream.of(everythingOn(), Map.of("postgresql", Map.of("enabled", false), "redis", Map.of("enabled", false),
				"externalDatabase", Map.of("url", "jdbc:postgresql://db:5432/berth", "existingSecret", "db"),
				"externalRedis", Map.of("url", "redis://redis:6379/0")),
				Map.of("replicaCount", 3, "podDisruptionBudget", Map.of("enabled", false), "tls", Map.of("port", 0)),
				Map.of("proxmox", proxmox(Map.of("existingSecret", "pve", "engineTls", Map.of("existingSecret", "pve-tls")))));
	}

	/** Lint reads the chart's own values.yaml: each set of values is merged into a copy of the chart. */
	@ParameterizedTest
	@MethodSource("optionalParts")
	void lintsStrictlyWithOptionalPartsOn(Map<String, Object> values) throws IOException {
		Path copy = temp.resolve("berth");
		try (Stream<Path> files = Files.walk(CHART)) {
			for (Path file : files.toList()) {
				Path target = copy.resolve(CHART.relativize(file).toString());
				if (Files.isDirectory(file)) {
					Files.createDirectories(target);
				}
				else {
					Files.copy(file, target);
				}
			}
		}
		JsonNode merged = YAML.readerForUpdating(YAML.readTree(CHART.resolve("values.yaml").toFile()))
			.readValue(YAML.writeValueAsString(values));
		YAML.writeValue(copy.resolve("values.yaml").toFile(), merged);
		LintResult lint = new Helm(copy).lint().strict().call();
		assertThat(lint.isFailed()).as("helm lint --strict with %s: %s", values, lint.getMessages()).isFalse();
	}

	@Test
	void defaultsRunBerthWithItsOwnPostgresAndRedisAndProbesOnTheManagementPort() {
		Manifests manifests = render(Map.of());
		JsonNode deployment = manifests.one("Deployment", "berth");
		JsonNode berth = container(deployment, "berth");

		assertThat(deployment.at("/spec/replicas").asInt()).isEqualTo(1);
		assertThat(ports(berth)).containsEntry("docker-api", 2375).containsEntry("docker-tls", 2376)
			.containsEntry("management", 8081);
		for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
			assertThat(berth.at("/" + probe + "/httpGet/port").asString()).as(probe).isEqualTo("management");
		}
		assertThat(berth.at("/startupProbe/httpGet/path").asString()).isEqualTo("/actuator/health/liveness");
		assertThat(berth.at("/livenessProbe/httpGet/path").asString()).isEqualTo("/actuator/health/liveness");
		assertThat(berth.at("/readinessProbe/httpGet/path").asString()).isEqualTo("/actuator/health/readiness");
		assertThat(berth.at("/startupProbe/failureThreshold").asInt() * berth.at("/startupProbe/periodSeconds").asInt())
			.as("seconds a first start (Flyway) may take").isGreaterThanOrEqualTo(120);
		assertThat(berth.at("/resources/limits/memory").asString()).isEqualTo("1Gi");

		Map<String, String> env = plainEnv(berth);
		assertThat(env).containsEntry("BERTH_DOMAIN", "berth.example.com")
			.containsEntry("BERTH_POLICY_MODE", "enforce")
			.containsEntry("BERTH_TLS_PORT", "2376")
			.containsEntry("BERTH_AUTH_MAX_STALE", "15m")
			.containsEntry("SPRING_DATASOURCE_URL", "jdbc:postgresql://berth-postgresql:5432/berth")
			.containsEntry("SPRING_DATA_REDIS_URL", "redis://berth-redis:6379/0")
			.containsEntry("BERTH_ROUTES_APEX_URL", "http://berth.ops.svc:2375")
			.doesNotContainKeys("BERTH_PKI_CA_CERTIFICATE", "BERTH_TLS_CERTIFICATE", "BERTH_BACKEND_PROXMOX_URL");

		JsonNode api = manifests.one("Service", "berth");
		assertThat(api.at("/spec/type").asString()).isEqualTo("LoadBalancer");
		assertThat(servicePorts(api)).containsEntry("docker-api", 2375).containsEntry("docker-tls", 2376);
		JsonNode management = manifests.one("Service", "berth-management");
		assertThat(management.at("/spec/type").asString()).isEqualTo("ClusterIP");
		assertThat(servicePorts(management)).containsOnlyKeys("management").containsEntry("management", 8081);

		// The admin token is generated (kept on upgrades through lookup); the Postgres password likewise,
		// and the chart's Postgres reads the same secret as Berth.
		assertThat(decoded(manifests.one("Secret", "berth-admin"), "admin-token")).hasSize(40);
		assertThat(decoded(manifests.one("Secret", "berth-postgresql"), "password")).hasSize(40);
		JsonNode postgres = manifests.one("StatefulSet", "berth-postgresql");
		assertThat(container(postgres, "postgresql").at("/image").asString()).isEqualTo("postgres:17");
		assertThat(secretRefs(container(postgres, "postgresql"))).contains("berth-postgresql/password");
		assertThat(secretRefs(berth)).contains("berth-postgresql/password", "berth-admin/admin-token");
		JsonNode redis = manifests.one("StatefulSet", "berth-redis");
		assertThat(container(redis, "redis").at("/image").asString()).isEqualTo("redis:7");
		assertThat(texts(container(redis, "redis").at("/args"))).containsSequence("--notify-keyspace-events", "KEA");
		assertThat(manifests.one("Service", "berth-postgresql").at("/spec/ports/0/port").asInt()).isEqualTo(5432);
		assertThat(manifests.one("Service", "berth-redis").at("/spec/ports/0/port").asInt()).isEqualTo(6379);

		assertThat(manifests.one("PodDisruptionBudget", "berth").at("/spec/maxUnavailable").asInt()).isEqualTo(1);
		assertThat(manifests.ofKind("ServiceMonitor")).isEmpty();
		assertThat(deployment.at("/spec/template/metadata/annotations/prometheus.io~1port").asString()).isEqualTo("8081");
		assertThat(deployment.at("/spec/template/spec/securityContext/runAsNonRoot").asBoolean()).isTrue();
		assertThat(berth.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
		assertThat(mounts(berth)).containsEntry("tmp", "/tmp");
	}

	@Test
	void notesTellTheOperatorHowToCreateTheFirstTenant() throws IOException {
		String notes = Files.readString(CHART.resolve("templates/NOTES.txt"));
		assertThat(notes).contains("/api/v1/tenants\"", "/api/v1/tenants/acme/keys", "admin-token",
				"include \"berth.adminSecret\"");
	}

	@Test
	void everySettingTheDocumentationListsReachesBerthFromTheChart() throws IOException {
		Manifests manifests = render(everythingOn());
		JsonNode berth = container(manifests.one("Deployment", "berth"), "berth");
		Map<String, String> markers = new LinkedHashMap<>();
		for (JsonNode var : berth.at("/env")) {
			markers.put(var.get("name").asString(), "<" + var.get("name").asString() + ">");
		}
		Binder binder = BerthSettings.binderOver(markers);

		BerthSettings.Documented documented = BerthSettings.documented();
		assertThat(documented.properties()).as("settings found in the README and docs/*.md tables")
			.contains("berth.domain", "berth.policy.mode", "berth.routes.apex.url");
		for (String property : BerthSettings.expected()) {
			String bound = binder.bind(property, String.class).orElse(null);
			assertThat(bound).as("%s is set by an environment variable of the chart", property)
				.isNotNull()
				.matches("<[A-Z0-9_]+>");
		}
		assertThat(markers).as("documented environment variables").containsKeys(documented.envNames().toArray(String[]::new));
	}

	@Test
	void eachEnvironmentVariableBindsToTheSettingItIsMeantFor() throws IOException {
		Manifests manifests = render(everythingOn());
		JsonNode berth = container(manifests.one("Deployment", "berth"), "berth");
		Map<String, String> env = new LinkedHashMap<>();
		for (JsonNode var : berth.at("/env")) {
			String name = var.get("name").asString();
			env.put(name, var.has("value") ? var.get("value").asString() : "<secret " + name + ">");
		}
		Binder binder = BerthSettings.binderOver(env);
		Map<String, String> meant = new LinkedHashMap<>();
		meant.put("BERTH_PUBLIC_PORT", "berth.public-port");
		meant.put("BERTH_DOCKER_HOST", "berth.backend.docker-host");
		meant.put("BERTH_AUTH_KEY_IN_HOST", "berth.auth.key-in-host");
		meant.put("BERTH_AUTH_MAX_STALE", "berth.auth.max-stale");
		meant.put("BERTH_TEARDOWN_POLL_INTERVAL", "berth.teardown.poll-interval");
		meant.put("BERTH_TEARDOWN_MAX_RETRY", "berth.teardown.max-retry");
		meant.put("BERTH_SHARED_PORTS", "berth.shared.ports");
		meant.put("BERTH_GATEWAY_FAST_PATH", "berth.gateway.fast-path");
		meant.put("BERTH_TLS_PRIVATE_KEY", "berth.tls.private-key");
		meant.put("BERTH_TLS_SERVER_NAMES", "berth.tls.server-names");
		meant.put("BERTH_PKI_CA_KEY", "berth.pki.ca-key");
		meant.put("BERTH_ROUTES_APEX_URL", "berth.routes.apex.url");
		meant.put("BERTH_ROUTES_DOMAIN_CACHE_TTL", "berth.routes.domain-cache-ttl");
		meant.put("BERTH_BACKEND_PROXMOX_TOKEN", "berth.backend.proxmox.token");
		meant.put("BERTH_BACKEND_PROXMOX_VMID_RANGE", "berth.backend.proxmox.vmid-range");
		meant.put("BERTH_BACKEND_PROXMOX_ENGINE_TLS_CA_CERTIFICATE", "berth.backend.proxmox.engine-tls.ca-certificate");
		meant.put("BERTH_BACKEND_PROXMOX_ENGINE_TLS_PRIVATE_KEY", "berth.backend.proxmox.engine-tls.private-key");
		meant.put("SPRING_DATASOURCE_PASSWORD", "spring.datasource.password");
		meant.put("MANAGEMENT_SERVER_PORT", "management.server.port");
		meant.forEach((name, property) -> assertThat(binder.bind(property, String.class).orElse(null))
			.as("%s → %s", name, property).isEqualTo(env.get(name)));
		// Spring reads a Redis password from the URL alone when there is a URL; Kubernetes expands
		// $(REDIS_PASSWORD) there from the variable before it.
		assertThat(binder.bind("spring.data.redis.url", String.class).orElse(null)).isEqualTo("redis://:$(REDIS_PASSWORD)@redis:6379/0");
		assertThat(List.copyOf(env.keySet())).containsSubsequence("REDIS_PASSWORD", "SPRING_DATA_REDIS_URL");
		assertThat(env).containsEntry("BERTH_TLS_SERVER_NAMES", "localhost,127.0.0.1")
			.containsEntry("BERTH_BACKEND_PROXMOX_TEMPLATES", "pve1:9000,pve2:9001");
	}

	@Test
	void externalPostgresAndRedisReplaceTheChartsOwn() {
		Manifests manifests = render(Map.of("postgresql", Map.of("enabled", false), "redis", Map.of("enabled", false),
				"externalDatabase", Map.of("url", "jdbc:postgresql://db.example:5432/berth", "username", "app", "password", "s3cret"),
				"externalRedis", Map.of("url", "rediss://cache.example:6380/2", "password", "r3dis")));
		assertThat(manifests.ofKind("StatefulSet")).isEmpty();
		assertThat(manifests.names("Service")).containsExactlyInAnyOrder("berth", "berth-management");
		JsonNode berth = container(manifests.one("Deployment", "berth"), "berth");
		assertThat(plainEnv(berth)).containsEntry("SPRING_DATASOURCE_URL", "jdbc:postgresql://db.example:5432/berth")
			.containsEntry("SPRING_DATASOURCE_USERNAME", "app")
			.containsEntry("SPRING_DATA_REDIS_URL", "rediss://:$(REDIS_PASSWORD)@cache.example:6380/2");
		assertThat(secretRefs(berth)).contains("berth-database/password", "berth-redis/password");
		assertThat(decoded(manifests.one("Secret", "berth-database"), "password")).isEqualTo("s3cret");
		assertThat(decoded(manifests.one("Secret", "berth-redis"), "password")).isEqualTo("r3dis");
	}

	@Test
	void existingSecretsAreReferencedAndNoneIsMadeForThem() {
		Manifests manifests = render(Map.of("adminToken", Map.of("existingSecret", "ops-admin"),
				"postgresql", Map.of("enabled", false), "redis", Map.of("enabled", false),
				"externalDatabase", Map.of("url", "jdbc:postgresql://db:5432/berth", "existingSecret", "db-creds",
						"existingSecretPasswordKey", "pg-password"),
				"externalRedis", Map.of("url", "redis://redis:6379/0", "existingSecret", "redis-creds"),
				"tls", Map.of("existingSecret", "berth-server-cert"),
				"pki", Map.of("existingSecret", "berth-ca", "keyEncryption", Map.of("existingSecret", "berth-ca-key")),
				"proxmox", proxmox(Map.of("existingSecret", "pve-token", "engineTls", Map.of("existingSecret", "pve-engine-tls")))));
		assertThat(manifests.ofKind("Secret")).isEmpty();
		JsonNode berth = container(manifests.one("Deployment", "berth"), "berth");
		assertThat(secretRefs(berth)).containsExactlyInAnyOrder("ops-admin/admin-token", "db-creds/pg-password",
				"redis-creds/password", "pve-token/token", "berth-ca-key/key-encryption-secret");
		assertThat(secretVolumes(manifests.one("Deployment", "berth"))).containsValues("berth-server-cert", "berth-ca",
				"pve-token", "pve-engine-tls");
	}

	@Test
	void certificatesAndKeysGivenAsValuesAreMountedAsTheFilesBerthReads() {
		Manifests manifests = render(Map.of("tls", Map.of("certificate", PEM_CERT, "privateKey", PEM_KEY),
				"pki", Map.of("caCertificate", PEM_CERT, "caKey", PEM_KEY)));
		JsonNode deployment = manifests.one("Deployment", "berth");
		JsonNode berth = container(deployment, "berth");
		JsonNode tls = manifests.one("Secret", "berth-tls");
		assertThat(tls.at("/type").asString()).isEqualTo("kubernetes.io/tls");
		assertThat(decoded(tls, "tls.crt")).isEqualTo(PEM_CERT);
		assertThat(decoded(tls, "tls.key")).isEqualTo(PEM_KEY);
		assertThat(decoded(manifests.one("Secret", "berth-pki"), "ca.key")).isEqualTo(PEM_KEY);
		assertThat(secretVolumes(deployment)).containsEntry("tls", "berth-tls").containsEntry("pki", "berth-pki");
		assertThat(mounts(berth)).containsEntry("tls", "/etc/berth/tls").containsEntry("pki", "/etc/berth/pki");
		assertThat(plainEnv(berth)).containsEntry("BERTH_TLS_CERTIFICATE", "/etc/berth/tls/tls.crt")
			.containsEntry("BERTH_TLS_PRIVATE_KEY", "/etc/berth/tls/tls.key")
			.containsEntry("BERTH_PKI_CA_CERTIFICATE", "/etc/berth/pki/ca.crt")
			.containsEntry("BERTH_PKI_CA_KEY", "/etc/berth/pki/ca.key");
	}

	@Test
	void proxmoxSettingsTokenAndEngineCertificatesReachBerth() {
		Manifests manifests = render(Map.of("proxmox", proxmox(Map.of())));
		JsonNode deployment = manifests.one("Deployment", "berth");
		JsonNode berth = container(deployment, "berth");
		assertThat(plainEnv(berth)).containsEntry("BERTH_BACKEND_PROXMOX_URL", "https://pve.example:8006/api2/json")
			.containsEntry("BERTH_BACKEND_PROXMOX_VMID_RANGE", "10000-19999")
			.containsEntry("BERTH_BACKEND_PROXMOX_WAKE_TIMEOUT", "120s")
			.containsEntry("BERTH_BACKEND_PROXMOX_IDLE_STOP", "15m")
			.containsEntry("BERTH_BACKEND_PROXMOX_CA_CERTIFICATE", "/etc/berth/proxmox/ca.crt")
			.containsEntry("BERTH_BACKEND_PROXMOX_ENGINE_TLS_CERTIFICATE", "/etc/berth/proxmox-engine/tls.crt");
		assertThat(secretRefs(berth)).contains("berth-proxmox/token");
		assertThat(decoded(manifests.one("Secret", "berth-proxmox"), "token")).isEqualTo("berth@pve!berth=0123-abcd");
		JsonNode engineTls = manifests.one("Secret", "berth-proxmox-engine-tls");
		assertThat(decoded(engineTls, "tls.key")).isEqualTo(PEM_KEY);
		assertThat(mounts(berth)).containsEntry("proxmox-engine-tls", "/etc/berth/proxmox-engine");
		assertThat(secretVolumes(deployment)).containsEntry("proxmox-engine-tls", "berth-proxmox-engine-tls");
	}

	@Test
	void theServiceMonitorIsMadeWhenAskedForAndScrapesTheManagementService() {
		Manifests manifests = render(Map.of("metrics", Map.of("serviceMonitor", Map.of("enabled", true, "labels", Map.of("release", "kube-prometheus")))));
		JsonNode monitor = manifests.one("ServiceMonitor", "berth");
		assertThat(monitor.at("/apiVersion").asString()).isEqualTo("monitoring.coreos.com/v1");
		assertThat(monitor.at("/metadata/labels/release").asString()).isEqualTo("kube-prometheus");
		assertThat(monitor.at("/spec/endpoints/0/port").asString()).isEqualTo("management");
		assertThat(monitor.at("/spec/endpoints/0/path").asString()).isEqualTo("/actuator/prometheus");
		Map<String, String> selector = strings(monitor.at("/spec/selector/matchLabels"));
		assertThat(manifests.ofKind("Service")).as("services the monitor selects")
			.filteredOn(service -> strings(service.at("/metadata/labels")).entrySet().containsAll(selector.entrySet()))
			.extracting(service -> service.at("/metadata/name").asString())
			.containsExactly("berth-management");
	}

	@Test
	void severalReplicasSpreadOverNodesAndAtMostOneIsAwayAtATime() {
		Manifests manifests = render(Map.of("replicaCount", 3));
		JsonNode deployment = manifests.one("Deployment", "berth");
		assertThat(deployment.at("/spec/replicas").asInt()).isEqualTo(3);
		assertThat(deployment.at("/spec/strategy/rollingUpdate/maxUnavailable").asInt()).isZero();
		assertThat(deployment.at("/spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/0/podAffinityTerm/topologyKey")
			.asString()).isEqualTo("kubernetes.io/hostname");
		assertThat(manifests.one("PodDisruptionBudget", "berth").at("/spec/maxUnavailable").asInt()).isEqualTo(1);
		assertThat(render(Map.of("podDisruptionBudget", Map.of("enabled", false))).ofKind("PodDisruptionBudget")).isEmpty();
	}

	@Test
	void tlsPortZeroTurnsTheTlsPortOffEverywhere() {
		Manifests manifests = render(Map.of("tls", Map.of("port", 0)));
		assertThat(ports(container(manifests.one("Deployment", "berth"), "berth"))).doesNotContainKey("docker-tls");
		assertThat(servicePorts(manifests.one("Service", "berth"))).containsOnlyKeys("docker-api");
		assertThat(plainEnv(container(manifests.one("Deployment", "berth"), "berth"))).containsEntry("BERTH_TLS_PORT", "0");
	}

	@Test
	void givenValuesReachTheContainersEnvironment() {
		Manifests manifests = render(Map.of("domain", "paas.example.org", "publicPort", 443, "dockerHost", "tcp://engine.internal:2375",
				"auth", Map.of("keyInHost", false, "cacheTtl", "2s", "maxStale", "5m"),
				"policy", Map.of("mode", "audit", "maxBody", "2MB", "allowRoot", false, "buildkit", true, "sharedPorts", "deny"),
				"gateway", Map.of("fastPath", false), "adminToken", Map.of("value", "a-long-admin-token-of-the-operator")));
		JsonNode berth = container(manifests.one("Deployment", "berth"), "berth");
		assertThat(plainEnv(berth)).containsEntry("BERTH_DOMAIN", "paas.example.org")
			.containsEntry("BERTH_PUBLIC_PORT", "443")
			.containsEntry("BERTH_DOCKER_HOST", "tcp://engine.internal:2375")
			.containsEntry("BERTH_AUTH_KEY_IN_HOST", "false")
			.containsEntry("BERTH_AUTH_CACHE_TTL", "2s")
			.containsEntry("BERTH_AUTH_MAX_STALE", "5m")
			.containsEntry("BERTH_POLICY_MODE", "audit")
			.containsEntry("BERTH_POLICY_MAX_BODY", "2MB")
			.containsEntry("BERTH_POLICY_ALLOW_ROOT", "false")
			.containsEntry("BERTH_POLICY_BUILDKIT", "true")
			.containsEntry("BERTH_SHARED_PORTS", "deny")
			.containsEntry("BERTH_GATEWAY_FAST_PATH", "false");
		assertThat(decoded(manifests.one("Secret", "berth-admin"), "admin-token")).isEqualTo("a-long-admin-token-of-the-operator");
	}

	@Test
	void aChangedSecretValueRestartsThePodsAndAnUnchangedOneDoesNot() {
		Map<String, Object> pki = Map.of("keyEncryption", Map.of("value", "the-ca-key-secret-0123456789"));
		Map<String, Object> before = Map.of("adminToken", Map.of("value", "the-first-admin-token-0123456789"),
				"postgresql", Map.of("auth", Map.of("password", "pw")), "pki", pki);
		Map<String, Object> after = Map.of("adminToken", Map.of("value", "the-second-admin-token-012345678"),
				"postgresql", Map.of("auth", Map.of("password", "pw")), "pki", pki);
		String checksum = "/spec/template/metadata/annotations/checksum~1secrets";
		String first = render(before).one("Deployment", "berth").at(checksum).asString();
		assertThat(first).hasSize(64);
		assertThat(render(before).one("Deployment", "berth").at(checksum).asString()).isEqualTo(first);
		assertThat(render(after).one("Deployment", "berth").at(checksum).asString()).isNotEqualTo(first);
	}

	@Test
	void anUpgradeKeepsTheGeneratedAdminTokenAndDatabasePassword() {
		CLUSTER.secrets.put("ops/berth-admin", Map.of("admin-token", "token-from-the-install-0123456789"));
		CLUSTER.secrets.put("ops/berth-postgresql", Map.of("password", "password-from-the-install"));
		CLUSTER.secrets.put("ops/berth-pki-key", Map.of("key-encryption-secret", "ca-key-secret-from-the-install"));
		try {
			Manifests manifests = render(Map.of());
			assertThat(decoded(manifests.one("Secret", "berth-pki-key"), "key-encryption-secret"))
				.as("the CA's key stays readable after an upgrade").isEqualTo("ca-key-secret-from-the-install");
			assertThat(decoded(manifests.one("Secret", "berth-admin"), "admin-token")).isEqualTo("token-from-the-install-0123456789");
			assertThat(decoded(manifests.one("Secret", "berth-postgresql"), "password")).isEqualTo("password-from-the-install");
		}
		finally {
			CLUSTER.secrets.clear();
		}
		Manifests fresh = render(Map.of());
		assertThat(decoded(fresh.one("Secret", "berth-admin"), "admin-token")).as("a new install generates its own")
			.hasSize(40).isNotEqualTo("token-from-the-install-0123456789");
		assertThat(CLUSTER.unexpected).as("requests other than secret lookups").isEmpty();
	}

	static Stream<Map<String, Object>> valuesTheSchemaRefuses() {
		return Stream.of(Map.of("policy", Map.of("mode", "permissive")), Map.of("replicaCount", "two"),
				Map.of("replicas", 2), Map.of("auth", Map.of("cacheTtl", "soon")),
				Map.of("tls", Map.of("port", 70000)), Map.of("dockerHost", "docker-engine:2375"),
				Map.of("adminToken", Map.of("value", "short")), Map.of("proxmox", Map.of("vmidRange", "many")),
				Map.of("pki", Map.of("caCertificate", "not a certificate")), Map.of("service", Map.of("type", "Ingress")));
	}

	@ParameterizedTest
	@MethodSource("valuesTheSchemaRefuses")
	void aValueThatBreaksTheSchemaFails(Map<String, Object> values) {
		assertThatThrownBy(() -> render(values)).hasMessageContaining("values don't meet the specifications of the schema");
	}

	@Test
	void incompleteCombinationsFailWithAMessageThatSaysWhatIsMissing() {
		assertThatThrownBy(() -> render(Map.of("postgresql", Map.of("enabled", false))))
			.hasMessageContaining("is required when postgresql.enabled=false");
		assertThatThrownBy(() -> render(Map.of("proxmox", Map.of("enabled", true, "url", "https://pve:8006/api2/json",
				"templates", "9000", "token", "berth@pve!berth=x", "caCertificate", PEM_CERT))))
			.hasMessageContaining("VM engines are reached over mutual TLS only");
		assertThatThrownBy(() -> render(Map.of("tls", Map.of("certificate", PEM_CERT))))
			.hasMessageContaining("tls.privateKey is required");
	}

	// ---- renderings

	static Map<String, Object> proxmox(Map<String, Object> overrides) {
		Map<String, Object> values = new LinkedHashMap<>(Map.of("enabled", true, "url", "https://pve.example:8006/api2/json",
				"token", "berth@pve!berth=0123-abcd", "caCertificate", PEM_CERT, "templates", "pve1:9000,pve2:9001",
				"engineTls", Map.of("caCertificate", PEM_CERT, "certificate", PEM_CERT, "privateKey", PEM_KEY)));
		values.putAll(overrides);
		return values;
	}

	/** Every optional part on at once: the widest environment the chart can give Berth. */
	static Map<String, Object> everythingOn() {
		return Map.of("tls", Map.of("certificate", PEM_CERT, "privateKey", PEM_KEY, "serverNames", List.of("localhost", "127.0.0.1")),
				"pki", Map.of("caCertificate", PEM_CERT, "caKey", PEM_KEY), "proxmox", proxmox(Map.of()),
				"redis", Map.of("enabled", false), "externalRedis", Map.of("url", "redis://redis:6379/0", "password", "r3dis"),
				"metrics", Map.of("serviceMonitor", Map.of("enabled", true)));
	}

	Manifests render(Map<String, Object> values) {
		try {
			Path file = Files.createTempFile(temp, "values", ".yaml");
			YAML.writeValue(file.toFile(), values);
			String text = new Helm(CHART).template().withName("berth").withNamespace("ops").withValuesFile(file).call();
			Manifests manifests = new Manifests(YAML.readerFor(JsonNode.class).<JsonNode>readValues(text).readAll()
				.stream().filter(node -> node != null && node.isObject()).toList());
			manifests.checkReferences(values);
			return manifests;
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	record Manifests(List<JsonNode> all) {

		List<JsonNode> ofKind(String kind) {
			return all.stream().filter(m -> m.at("/kind").asString().equals(kind)).toList();
		}

		List<String> names(String kind) {
			return ofKind(kind).stream().map(m -> m.at("/metadata/name").asString()).toList();
		}

		JsonNode one(String kind, String name) {
			List<JsonNode> found = ofKind(kind).stream().filter(m -> m.at("/metadata/name").asString().equals(name)).toList();
			assertThat(found).as("%s %s among %s", kind, name, all.stream().map(m -> m.at("/kind").asString() + " " + m.at("/metadata/name").asString()).toList())
				.hasSize(1);
			return found.getFirst();
		}

		/**
		 * What every rendering must hold whatever the values: a secret the pods read is rendered with that
		 * key or was named by the operator; a service selects pods and reaches a port they declare.
		 */
		void checkReferences(Map<String, Object> values) {
			Map<String, Set<String>> rendered = new HashMap<>();
			for (JsonNode secret : ofKind("Secret")) {
				Set<String> keys = new LinkedHashSet<>();
				secret.at("/data").propertyNames().forEach(keys::add);
				rendered.put(secret.at("/metadata/name").asString(), keys);
			}
			String given = values.toString();
			List<JsonNode> workloads = Stream.concat(ofKind("Deployment").stream(), ofKind("StatefulSet").stream()).toList();
			for (JsonNode workload : workloads) {
				for (JsonNode container : workload.at("/spec/template/spec/containers")) {
					// Kubernetes expands $(NAME) only from variables defined before it.
					Set<String> defined = new LinkedHashSet<>();
					for (JsonNode var : container.at("/env")) {
						Matcher reference = Pattern.compile("\\$\\(([A-Za-z0-9_]+)\\)").matcher(var.path("value").asString(""));
						while (reference.find()) {
							assertThat(defined).as("$(%s) in %s", reference.group(1), var.get("name").asString()).contains(reference.group(1));
						}
						defined.add(var.get("name").asString());
					}
					for (String ref : secretRefs(container)) {
						String name = ref.substring(0, ref.indexOf('/'));
						String key = ref.substring(ref.indexOf('/') + 1);
						if (rendered.containsKey(name)) {
							assertThat(rendered.get(name)).as("keys of secret %s", name).contains(key);
						}
						else {
							assertThat(given).as("secret %s is neither rendered nor named in the values", name).contains(name);
						}
					}
				}
				secretVolumes(workload).values().stream().filter(Predicate.not(rendered::containsKey))
					.forEach(name -> assertThat(given).as("secret volume %s", name).contains(name));
				assertThat(strings(workload.at("/spec/template/metadata/labels")).entrySet())
					.as("pod labels of %s hold its selector", workload.at("/metadata/name").asString())
					.containsAll(strings(workload.at("/spec/selector/matchLabels")).entrySet());
			}
			for (JsonNode service : ofKind("Service")) {
				Map<String, String> selector = strings(service.at("/spec/selector"));
				List<JsonNode> selected = workloads.stream()
					.filter(w -> strings(w.at("/spec/template/metadata/labels")).entrySet().containsAll(selector.entrySet()))
					.toList();
				assertThat(selected).as("workload selected by service %s", service.at("/metadata/name").asString()).hasSize(1);
				Map<String, Integer> declared = new HashMap<>();
				selected.getFirst().at("/spec/template/spec/containers").forEach(c -> declared.putAll(ports(c)));
				for (JsonNode port : service.at("/spec/ports")) {
					JsonNode target = port.get("targetPort");
					if (target.isString()) {
						assertThat(declared).as("target port of %s", service.at("/metadata/name").asString()).containsKey(target.asString());
					}
					else {
						assertThat(declared).containsValue(target.asInt());
					}
				}
			}
		}

	}

	// ---- reading manifests

	static JsonNode container(JsonNode workload, String name) {
		for (JsonNode container : workload.at("/spec/template/spec/containers")) {
			if (container.get("name").asString().equals(name)) {
				return container;
			}
		}
		throw new AssertionError("no container " + name + " in " + workload.at("/metadata/name").asString());
	}

	static Map<String, Integer> ports(JsonNode container) {
		Map<String, Integer> ports = new LinkedHashMap<>();
		container.at("/ports").forEach(p -> ports.put(p.get("name").asString(), p.get("containerPort").asInt()));
		return ports;
	}

	static Map<String, Integer> servicePorts(JsonNode service) {
		Map<String, Integer> ports = new LinkedHashMap<>();
		service.at("/spec/ports").forEach(p -> ports.put(p.get("name").asString(), p.get("port").asInt()));
		return ports;
	}

	static Map<String, String> plainEnv(JsonNode container) {
		Map<String, String> env = new LinkedHashMap<>();
		container.at("/env").forEach(v -> {
			if (v.has("value")) {
				env.put(v.get("name").asString(), v.get("value").asString());
			}
		});
		return env;
	}

	/** {@code secret/key} of every variable read from a secret. */
	static List<String> secretRefs(JsonNode container) {
		List<String> refs = new ArrayList<>();
		container.at("/env").forEach(v -> {
			JsonNode ref = v.at("/valueFrom/secretKeyRef");
			if (!ref.isMissingNode()) {
				refs.add(ref.get("name").asString() + "/" + ref.get("key").asString());
			}
		});
		return refs;
	}

	/** volume name → secret name. */
	static Map<String, String> secretVolumes(JsonNode workload) {
		Map<String, String> volumes = new LinkedHashMap<>();
		workload.at("/spec/template/spec/volumes").forEach(v -> {
			if (v.has("secret")) {
				volumes.put(v.get("name").asString(), v.at("/secret/secretName").asString());
			}
		});
		return volumes;
	}

	static Map<String, String> mounts(JsonNode container) {
		Map<String, String> mounts = new LinkedHashMap<>();
		container.at("/volumeMounts").forEach(m -> mounts.put(m.get("name").asString(), m.get("mountPath").asString()));
		return mounts;
	}

	static Map<String, String> strings(JsonNode object) {
		Map<String, String> map = new LinkedHashMap<>();
		object.properties().forEach(e -> map.put(e.getKey(), e.getValue().asString()));
		return map;
	}

	static List<String> texts(JsonNode array) {
		List<String> texts = new ArrayList<>();
		array.forEach(t -> texts.add(t.asString()));
		return texts;
	}

	static String decoded(JsonNode secret, String key) {
		return new String(Base64.getDecoder().decode(secret.at("/data/" + key.replace("/", "~1")).asString()), StandardCharsets.UTF_8);
	}

}
