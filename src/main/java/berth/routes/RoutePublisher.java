package berth.routes;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

import berth.PlatformProperties;
import berth.account.Tenant;
import berth.account.TenantDeleted;
import berth.account.Tenants;
import berth.backend.Backends;
import berth.backend.ContainerRemoved;
import berth.backend.ContainerStarted;
import berth.backend.ContainerStopped;
import berth.backend.Engine;
import berth.backend.EngineEventsFollowed;
import berth.backend.EngineEventsLost;
import berth.isolation.Names;

/**
 * Keeps Traefik's view in Redis equal to what the database says should be published. Container
 * events update the database and publish the hosts they touch; a resync (at startup, after an event
 * stream reconnects, and every {@code resync-interval}) reconciles engine, database and Redis in full;
 * a check every {@code check-interval} republishes everything when Redis lost its data or a
 * publication failed. All of it runs on one thread of its own, in order, off the event loops.
 */
@Component
@ConditionalOnProperty(prefix = "berth.routes", name = "enabled", havingValue = "true", matchIfMissing = true)
class RoutePublisher {

	private static final Logger log = LoggerFactory.getLogger(RoutePublisher.class);

	/** The state of publication that health and the admin API show. */
	record State(boolean inSync, @Nullable String lastError, @Nullable Instant failingSince,
			@Nullable Instant lastFullSync, int published, Map<String, Boolean> engineEvents) {
	}

	private final RouteProperties properties;

	private final Hostnames hostnames;

	private final TraefikKeys keys;

	private final Routes routes;

	private final Domains domains;

	private final Tenants tenants;

	private final Backends backends;

	private final EngineContainers containers;

	private final PublishedView view;

	private final ScheduledExecutorService worker = Executors
		.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("berth-routes").daemon().factory());

	/** What this instance last published, by route name: touched by the worker thread only. */
	private final Map<String, KvChange.Route> model = new HashMap<>();

	private final AtomicInteger published = new AtomicInteger();

	private final Counter failures;

	private final Map<String, Boolean> engineEvents = new ConcurrentHashMap<>();

	private volatile boolean dirty = true;

	private volatile @Nullable String lastError;

	private volatile @Nullable Instant failingSince;

	private volatile @Nullable Instant lastFullSync;

	RoutePublisher(RouteProperties properties, PlatformProperties platform, Routes routes, Domains domains,
			Tenants tenants, Backends backends, EngineContainers containers, StringRedisTemplate redis,
			MeterRegistry meters) {
		this.properties = properties;
		this.hostnames = new Hostnames(platform.domain());
		this.keys = new TraefikKeys(properties);
		this.routes = routes;
		this.domains = domains;
		this.tenants = tenants;
		this.backends = backends;
		this.containers = containers;
		this.view = new PublishedView(redis, new KvChange.Index(properties.rootKey()));
		Gauge.builder("berth.routes.published", published, AtomicInteger::get)
			.description("tenant routes currently published to Traefik")
			.register(meters);
		this.failures = Counter.builder("berth.route.publish.failures")
			.description("attempts to publish routes to Redis that failed")
			.register(meters);
	}

	@EventListener(ApplicationReadyEvent.class)
	void start() {
		long check = properties.checkInterval().toMillis();
		worker.scheduleWithFixedDelay(guarded("resync", this::resync), 0, properties.resyncInterval().toMillis(),
				TimeUnit.MILLISECONDS);
		worker.scheduleWithFixedDelay(guarded("check", this::check), check, check, TimeUnit.MILLISECONDS);
	}

	@PreDestroy
	void stop() {
		worker.shutdownNow();
	}

	@EventListener
	void on(ContainerStarted event) {
		Map<String, String> labels = event.labels();
		if (labels.containsKey(OwnerIdLabelRule.OWNER)
				&& (labels.containsKey(HttpLabels.LABEL) || labels.containsKey(HttpLabels.SYNONYM))) {
			submit("start of " + event.containerId(), () -> started(event.engine(), event.containerId()));
		}
	}

	@EventListener
	void on(ContainerStopped event) {
		submit("stop of " + event.containerId(), () -> publish(routes.stop(event.containerId())));
	}

	@EventListener
	void on(ContainerRemoved event) {
		submit("removal of " + event.containerId(), () -> publish(routes.remove(event.containerId())));
	}

	@EventListener
	void on(EngineEventsFollowed event) {
		engineEvents.put(event.engine().id(), true);
		submit("resync", this::resync);
	}

	@EventListener
	void on(EngineEventsLost event) {
		engineEvents.put(event.engine().id(), false);
	}

	@EventListener
	void on(TenantDeleted event) {
		submit("republish", this::republish);
	}

	@EventListener
	void on(DomainRegistered event) {
		submit("republish", this::republish);
	}

	@EventListener
	void on(DomainRemoved event) {
		submit("republish", this::republish);
	}

	State state() {
		return new State(!dirty, lastError, failingSince, lastFullSync, published.get(), Map.copyOf(engineEvents));
	}

	/** The route names published in Redis now; empty when Redis cannot be read. */
	Optional<Set<String>> publishedNames() {
		try {
			return Optional.of(view.names());
		}
		catch (RuntimeException e) {
			return Optional.empty();
		}
	}

	private void submit(String what, Runnable work) {
		worker.execute(guarded(what, work));
	}

	private Runnable guarded(String what, Runnable work) {
		return () -> {
			try {
				work.run();
			}
			catch (RuntimeException e) {
				fail(what, e);
			}
		};
	}

	private void started(Engine engine, String containerId) {
		Optional<ContainerView> container = containers.inspect(engine, containerId);
		publish(container.isPresent() ? record(engine, container.get()) : routes.remove(containerId));
	}

	/** Writes a container's routes to the database; answers the hosts whose routes may change. */
	private Set<String> record(Engine engine, ContainerView container) {
		List<RouteRow> rows = rowsOf(engine, container);
		Set<String> hosts = new HashSet<>(routes.replace(container.id(), rows));
		rows.forEach(row -> hosts.add(row.host()));
		return hosts;
	}

	private List<RouteRow> rowsOf(Engine engine, ContainerView container) {
		Optional<Tenant> owner = ownerOf(container);
		if (owner.isEmpty()) {
			return List.of();
		}
		Tenant tenant = owner.get();
		List<HttpLabels.Entry> entries;
		try {
			String value = HttpLabels.value(container.labels());
			entries = value == null ? List.of() : HttpLabels.parse(value);
		}
		catch (HttpLabels.Invalid invalid) {
			log.warn("container {} of tenant {} has a bad route label, not routed: {}", container.id(), tenant.name(),
					invalid.getMessage());
			return List.of();
		}
		List<RouteRow> rows = new ArrayList<>();
		for (int i = 0; i < entries.size(); i++) {
			HttpLabels.Entry entry = entries.get(i);
			String host = hostnames.expand(tenant.name(), entry);
			if (!Hostnames.isDomainName(host)) {
				log.warn("container {} of tenant {}: host {} is too long, not routed", container.id(), tenant.name(), host);
				continue;
			}
			String url = container.running() ? container.targetUrl(entry.port(), properties.target(),
					properties.network(), properties.publishedHost()) : null;
			rows.add(new RouteRow(container.id(), i, tenant.id(), tenant.name(), engine.id(),
					Names.shown(tenant.name(), container.name()), host,
					entry.port(), container.running(), url, container.startedAt()));
		}
		return rows;
	}

	/** The tenant a container belongs to: both owner labels must name the same existing tenant. */
	private Optional<Tenant> ownerOf(ContainerView container) {
		String name = container.labels().get(OwnerIdLabelRule.OWNER);
		String id = container.labels().get(OwnerIdLabelRule.OWNER_ID);
		if (name == null || id == null) {
			return Optional.empty();
		}
		return tenants.findByName(name).filter(tenant -> tenant.id().toString().equals(id));
	}

	/** Publishes the current decision for some hosts, against what this instance last published. */
	private void publish(Set<String> hosts) {
		if (hosts.isEmpty()) {
			return;
		}
		Map<String, KvChange.Route> desired = desired(routes.forHosts(hosts));
		Map<String, KvChange.Route> current = new HashMap<>();
		model.forEach((name, route) -> {
			if (hosts.contains(route.host())) {
				current.put(name, route);
			}
		});
		apply(KvChange.between(current, desired, keys, view.index()));
		current.keySet().forEach(model::remove);
		model.putAll(desired);
		published.set(countTenantRoutes());
	}

	/** Reconciles every engine's labelled containers with the database, then republishes. */
	void resync() {
		for (Engine engine : backends.engines()) {
			try {
				syncEngine(engine);
			}
			catch (RuntimeException e) {
				log.warn("could not read the containers of engine {}: {}", engine.id(), e.toString());
			}
		}
		republish();
	}

	private void syncEngine(Engine engine) {
		Map<String, List<RouteRow>> known = routes.onEngine(engine.id());
		for (ContainerView listed : containers.labelled(engine)) {
			List<RouteRow> rows = known.remove(listed.id());
			if (listed.running()) {
				if (rows == null || !upToDate(rows, listed)) {
					containers.inspect(engine, listed.id()).ifPresent(container -> record(engine, container));
				}
			}
			else if (rows == null) {
				record(engine, listed);
			}
			else if (rows.stream().anyMatch(RouteRow::running)) {
				routes.stop(listed.id());
			}
		}
		known.keySet().forEach(routes::remove);
	}

	private boolean upToDate(List<RouteRow> rows, ContainerView listed) {
		for (RouteRow row : rows) {
			String url = listed.targetUrl(row.port(), properties.target(), properties.network(), properties.publishedHost());
			if (!row.running() || !java.util.Objects.equals(url, row.targetUrl())) {
				return false;
			}
		}
		return !rows.isEmpty();
	}

	/** Makes Redis hold exactly what the database says, reading back what is there through the index. */
	void republish() {
		Map<String, KvChange.Route> desired = desired(routes.all());
		String apex = properties.apex().router();
		desired.put(apex, KvChange.Route.of(hostnames.domain(), keys.of(apex, hostnames.domain(), properties.apex().url())));
		Map<String, KvChange.Route> current;
		try {
			current = view.read();
		}
		catch (RuntimeException e) {
			throw new PublishFailed(e);
		}
		apply(KvChange.between(current, desired, keys, view.index()));
		model.clear();
		model.putAll(desired);
		published.set(countTenantRoutes());
		if (failingSince != null) {
			log.info("routes are published again (failing since {})", failingSince);
		}
		dirty = false;
		lastError = null;
		failingSince = null;
		lastFullSync = Instant.now();
	}

	/** Republishes when a publication is pending or Redis lost the view (flushed, restarted empty). */
	private void check() {
		if (dirty) {
			republish();
			return;
		}
		try {
			if (!view.exists(keys.sentinel(properties.apex().router()))) {
				log.info("the published routes are gone from Redis (flushed or restarted empty); republishing");
				republish();
			}
		}
		catch (RuntimeException e) {
			fail("check", e);
		}
	}

	private Map<String, KvChange.Route> desired(List<RouteRow> rows) {
		Set<UUID> tenantIds = rows.stream().map(RouteRow::tenantId).collect(Collectors.toSet());
		Map<UUID, Set<String>> registered = domains.namesOf(tenantIds);
		Map<String, KvChange.Route> desired = new HashMap<>();
		for (RoutePlan.Decision decision : RoutePlan.decide(rows, hostnames, registered)) {
			RouteRow row = decision.row();
			if (decision.status() == RoutePlan.Status.PUBLISHED && row.targetUrl() != null) {
				desired.put(row.routerName(),
						KvChange.Route.of(row.host(), keys.of(row.routerName(), row.host(), row.targetUrl())));
			}
		}
		return desired;
	}

	private void apply(KvChange change) {
		try {
			view.apply(change);
		}
		catch (RuntimeException e) {
			throw new PublishFailed(e);
		}
	}

	/** Counts and shows a failure; logs it when publishing starts failing, not on every retry. */
	private void fail(String what, RuntimeException e) {
		if (e instanceof PublishFailed) {
			failures.increment();
		}
		dirty = true;
		lastError = NestedExceptionUtils.getMostSpecificCause(e).toString();
		if (failingSince == null) {
			failingSince = Instant.now();
			log.warn("route {} failed, retrying every {}: {}", what, properties.checkInterval(), lastError);
		}
		else {
			log.debug("route {} failed again: {}", what, lastError);
		}
	}

	private int countTenantRoutes() {
		return (int) model.keySet().stream().filter(name -> !name.equals(properties.apex().router())).count();
	}

	/** Redis refused or could not take a change. */
	private static final class PublishFailed extends RuntimeException {

		PublishFailed(RuntimeException cause) {
			super(cause.getMessage(), cause, false, false);
		}

	}

}
