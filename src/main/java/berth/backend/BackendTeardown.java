package berth.backend;

import java.util.Map;
import java.util.stream.Collectors;

import reactor.core.publisher.Mono;

import berth.account.TenantRef;

/**
 * Removes what a deleted tenant left on one kind of backend: its objects on the shared engine, or the
 * VM of its own. The teardown worker ({@code berth.teardown}) calls every implementation for each
 * deleted tenant, again and again with backoff until all of them succeed; only then is the tenant's
 * name given out again. So an implementation must be idempotent and resumable (a call may find half
 * of its work done by an earlier one that failed or whose replica died), must succeed when the tenant
 * never had anything on its backend, and must fail, never complete, while anything of the tenant is
 * left there. It is called after the tenant's row is gone: what it needs to find the tenant's objects
 * (labels, a VM's id in a table of its own that the deletion does not cascade to) must outlive it.
 */
public interface BackendTeardown {

	/**
	 * The kind of backend this removes from, as plans name it ({@code shared}, {@code proxmox}). A
	 * replica takes a deleted tenant's teardown on only when it has one for the tenant's kind.
	 */
	String planBackend();

	/**
	 * Removes everything of the tenant on this backend.
	 *
	 * @return what was removed by this call, for the audit log; an error while anything is left
	 */
	Mono<TornDown> tearDown(TenantRef tenant);

	/**
	 * What one call removed.
	 *
	 * @param backend which backend, e.g. {@code shared-engine}
	 * @param removed how many objects of each kind, e.g. {@code containers=2}
	 */
	record TornDown(String backend, Map<String, Integer> removed) {

		public TornDown {
			removed = Map.copyOf(removed);
		}

		@Override
		public String toString() {
			return backend + removed.entrySet()
				.stream()
				.sorted(Map.Entry.comparingByKey())
				.map(entry -> entry.getKey() + "=" + entry.getValue())
				.collect(Collectors.joining(" ", "[", "]"));
		}

	}

}
