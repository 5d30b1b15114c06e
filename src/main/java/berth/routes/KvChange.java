package berth.routes;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Redis commands that turn the published view of some routes into the desired one, in an order
 * that keeps every intermediate state valid for Traefik: service keys are written before router keys,
 * router keys deleted before service keys. Only what differs is written, so a resync of an unchanged
 * view writes nothing (every write makes Traefik re-read its whole prefix). Berth's own index (a set
 * per route of the keys it owns, and the set of route names) is kept alongside.
 */
record KvChange(List<Op> ops) {

	/** A route as published: its host and the keys it owns with their values. */
	record Route(String host, Map<String, String> values, Set<String> owned) {

		static Route of(String host, Map<String, String> values) {
			return new Route(host, values, values.keySet());
		}

	}

	sealed interface Op {

		record Set(String key, String value) implements Op {
		}

		record Delete(String key) implements Op {
		}

		record AddToIndex(String index, String member) implements Op {
		}

		record RemoveFromIndex(String index, String member) implements Op {
		}

	}

	/** Where Berth keeps the index of what it published under one root key. */
	record Index(String root) {

		String names() {
			return RouteProperties.INDEX_PREFIX + root + ":names";
		}

		String keysOf(String route) {
			return RouteProperties.INDEX_PREFIX + root + ":route:" + route;
		}

	}

	boolean isEmpty() {
		return ops.isEmpty();
	}

	/**
	 * @param current what is published of the routes concerned, by route name
	 * @param desired what should be published of them
	 */
	static KvChange between(Map<String, Route> current, Map<String, Route> desired, TraefikKeys keys, Index index) {
		List<Op> services = new ArrayList<>();
		List<Op> routers = new ArrayList<>();
		List<Op> routerDeletes = new ArrayList<>();
		List<Op> serviceDeletes = new ArrayList<>();
		List<Op> bookkeeping = new ArrayList<>();
		desired.forEach((name, want) -> {
			Route have = current.get(name);
			want.values().forEach((key, value) -> {
				if (have == null || !value.equals(have.values().get(key))) {
					(keys.isServiceKey(key) ? services : routers).add(new Op.Set(key, value));
				}
				if (have == null || !have.owned().contains(key)) {
					bookkeeping.add(new Op.AddToIndex(index.keysOf(name), key));
				}
			});
			if (have == null) {
				bookkeeping.add(new Op.AddToIndex(index.names(), name));
			}
			else {
				for (String key : have.owned()) {
					if (!want.values().containsKey(key)) {
						(keys.isServiceKey(key) ? serviceDeletes : routerDeletes).add(new Op.Delete(key));
						bookkeeping.add(new Op.RemoveFromIndex(index.keysOf(name), key));
					}
				}
			}
		});
		current.forEach((name, have) -> {
			if (!desired.containsKey(name)) {
				for (String key : have.owned()) {
					(keys.isServiceKey(key) ? serviceDeletes : routerDeletes).add(new Op.Delete(key));
				}
				bookkeeping.add(new Op.Delete(index.keysOf(name)));
				bookkeeping.add(new Op.RemoveFromIndex(index.names(), name));
			}
		});
		List<Op> ops = new ArrayList<>(services);
		ops.addAll(routers);
		ops.addAll(routerDeletes);
		ops.addAll(serviceDeletes);
		ops.addAll(bookkeeping);
		return new KvChange(List.copyOf(ops));
	}

	/** The keys this change writes, for logs. */
	Set<String> written() {
		Set<String> out = new LinkedHashSet<>();
		ops.forEach(op -> {
			if (op instanceof Op.Set set) {
				out.add(set.key());
			}
		});
		return out;
	}

}
