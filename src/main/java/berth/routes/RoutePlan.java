package berth.routes;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Decides, from the database's routes, which are published: a route is published while its container
 * runs and has an address, its host is the tenant's to route (under its own subdomain, or a custom
 * domain registered for it, checked again here since image labels escape create-time checks), and no
 * container of the tenant that started later claims the same host (the newest one serves it, so a
 * replacement takes over from the container it replaces).
 */
final class RoutePlan {

	enum Status {

		PUBLISHED, STOPPED, NO_ADDRESS, NOT_ALLOWED, SHADOWED

	}

	record Decision(RouteRow row, Status status) {
	}

	private static final Comparator<RouteRow> NEWEST_FIRST = Comparator
		.comparing((RouteRow row) -> row.startedAt() == null ? Instant.EPOCH : row.startedAt())
		.thenComparing(RouteRow::containerId)
		.thenComparing(RouteRow::position)
		.reversed();

	private RoutePlan() {
	}

	/** One decision per row, in the rows' order. */
	static List<Decision> decide(List<RouteRow> rows, Hostnames hostnames, Map<UUID, Set<String>> domains) {
		Map<String, RouteRow> winners = new HashMap<>();
		for (RouteRow row : rows) {
			if (eligible(row, hostnames, domains)) {
				winners.merge(row.host(), row, (a, b) -> NEWEST_FIRST.compare(a, b) <= 0 ? a : b);
			}
		}
		List<Decision> decisions = new ArrayList<>(rows.size());
		for (RouteRow row : rows) {
			Status status;
			if (!row.running()) {
				status = Status.STOPPED;
			}
			else if (!allowed(row, hostnames, domains)) {
				status = Status.NOT_ALLOWED;
			}
			else if (row.targetUrl() == null) {
				status = Status.NO_ADDRESS;
			}
			else {
				status = winners.get(row.host()) == row ? Status.PUBLISHED : Status.SHADOWED;
			}
			decisions.add(new Decision(row, status));
		}
		return decisions;
	}

	private static boolean eligible(RouteRow row, Hostnames hostnames, Map<UUID, Set<String>> domains) {
		return row.running() && row.targetUrl() != null && allowed(row, hostnames, domains);
	}

	static boolean allowed(RouteRow row, Hostnames hostnames, Map<UUID, Set<String>> domains) {
		if (hostnames.isOwnSubdomain(row.tenant(), row.host())) {
			return true;
		}
		return hostnames.placeOf(row.host()).kind() == Hostnames.Kind.OUTSIDE
				&& domains.getOrDefault(row.tenantId(), Set.of()).contains(row.host());
	}

}
