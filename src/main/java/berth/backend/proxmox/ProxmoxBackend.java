package berth.backend.proxmox;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.UUID;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.util.StringUtils;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

import berth.account.AuthProperties;
import berth.backend.Backends;
import berth.outage.Database;

/**
 * The Proxmox backend's parts, made when {@code berth.backend.proxmox.url} is set. Settings that
 * cannot work (no template, a VMID range that does not parse, missing engine TLS files: a VM engine in
 * plain TCP) stop Berth at startup rather than fail tenants' first requests.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(ProxmoxBackend.Configured.class)
class ProxmoxBackend {

	/** The backend is on when the URL is set and not blank (an empty environment variable is off). */
	static final class Configured implements Condition {

		@Override
		public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
			return StringUtils.hasText(context.getEnvironment().getProperty("berth.backend.proxmox.url"));
		}

	}

	@Bean(destroyMethod = "close")
	ProxmoxClient proxmoxClient(ProxmoxProperties properties, JsonMapper json, MeterRegistry registry) {
		if (properties.token().isBlank() || properties.token().indexOf('=') < 0) {
			throw new IllegalStateException(
					"berth.backend.proxmox.token is required, as USER@REALM!TOKENID=SECRET");
		}
		Templates.parse(properties.templates());
		VmidRange.parse(properties.vmidRange());
		AddressPool.parse(properties.addressPool());
		return new ProxmoxClient(properties, ProxmoxClient.Timing.PRODUCTION, json, new ProxmoxErrors(registry));
	}

	@Bean
	TenantVms tenantVms(JdbcClient jdbc) {
		return new TenantVms(jdbc);
	}

	@Bean
	VmMetrics vmMetrics(MeterRegistry registry, TenantVms vms) {
		return new VmMetrics(registry, vms);
	}

	@Bean(destroyMethod = "dispose")
	Disposable vmMetricsRefresh(VmMetrics metrics) {
		return Flux.interval(Duration.ZERO, Duration.ofSeconds(15), Schedulers.boundedElastic())
			.subscribe(tick -> metrics.refresh());
	}

	@Bean(destroyMethod = "close")
	VmWaker vmWaker(ProxmoxClient client, TenantVms vms, ProxmoxProperties properties, VmMetrics metrics) {
		return new VmWaker(client, vms, new VmEngines(properties.engineTls()), properties, VmWaker.Timing.PRODUCTION,
				metrics, replica());
	}

	@Bean
	VmTeardown vmTeardown(ProxmoxClient client, TenantVms vms, VmWaker waker) {
		return new VmTeardown(client, vms, waker, replica());
	}

	@Bean
	@Primary
	VmBackends vmBackends(@Qualifier("sharedEngineBackends") Backends shared, VmWaker waker, TenantVms vms,
			Database database, AuthProperties auth) {
		return new VmBackends(shared, waker, vms, database, auth);
	}

	/** Who holds a claim: the host and a random part, so two replicas on one host differ. */
	private static String replica() {
		String host;
		try {
			host = InetAddress.getLocalHost().getHostName();
		}
		catch (UnknownHostException e) {
			host = "berth";
		}
		return host + "/" + UUID.randomUUID().toString().substring(0, 8);
	}

}
