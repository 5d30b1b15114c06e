package berth.routes;

import java.util.Set;
import java.util.UUID;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import berth.account.TenantDeleted;

/**
 * A tenant's custom domains for checks on the request path: cached, loaded off the event loop,
 * refreshed in the background and dropped at once when this instance changes them (other instances
 * see a change within {@code berth.routes.domain-cache-ttl}).
 */
@Component
class TenantDomains {

	private final AsyncLoadingCache<UUID, Set<String>> cache;

	TenantDomains(Domains domains, RouteProperties properties) {
		this.cache = Caffeine.newBuilder()
			.maximumSize(100_000)
			.expireAfterWrite(properties.domainCacheTtl())
			.refreshAfterWrite(properties.domainCacheTtl().dividedBy(2))
			.executor(task -> Schedulers.boundedElastic().schedule(task))
			.buildAsync(domains::namesOf);
	}

	Mono<Set<String>> of(UUID tenantId) {
		return Mono.fromFuture(cache.get(tenantId), true);
	}

	@EventListener
	void on(DomainRegistered event) {
		cache.synchronous().invalidate(event.tenant().id());
	}

	@EventListener
	void on(DomainRemoved event) {
		cache.synchronous().invalidate(event.tenant().id());
	}

	@EventListener
	void on(TenantDeleted event) {
		cache.synchronous().invalidate(event.tenant().id());
	}

}
