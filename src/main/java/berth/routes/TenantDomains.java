package berth.routes;

import java.time.Duration;
import java.util.Set;
import java.util.UUID;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

import berth.account.AuthProperties;
import berth.account.TenantDeleted;
import berth.outage.Database;
import berth.outage.Dependency;
import berth.outage.LastKnown;

/**
 * A tenant's custom domains for checks on the request path: cached, loaded off the event loop,
 * refreshed in the background and dropped at once when this instance changes them (other instances
 * see a change within {@code berth.routes.domain-cache-ttl}). While the database is away the last
 * known list is used for up to {@code berth.auth.max-stale}; a tenant whose list is not known cannot
 * create a container with a custom domain in its route label (503) until the database is back.
 */
@Component
class TenantDomains {

	private final LastKnown<UUID, Set<String>> cache;

	@Autowired
	TenantDomains(Domains domains, RouteProperties properties, Database database, AuthProperties auth) {
		this(domains, properties, database, auth.maxStale());
	}

	TenantDomains(Domains domains, RouteProperties properties, Dependency database, Duration maxStale) {
		this.cache = new LastKnown<>("domains", database, properties.domainCacheTtl(), maxStale, domains::namesOf);
	}

	Mono<Set<String>> of(UUID tenantId) {
		return cache.get(tenantId);
	}

	@EventListener
	void on(DomainRegistered event) {
		cache.invalidate(event.tenant().id());
	}

	@EventListener
	void on(DomainRemoved event) {
		cache.invalidate(event.tenant().id());
	}

	@EventListener
	void on(TenantDeleted event) {
		cache.invalidate(event.tenant().id());
	}

}
