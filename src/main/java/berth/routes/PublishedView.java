package berth.routes;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.core.RedisOperations;
import org.springframework.data.redis.core.SessionCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The routes as published in Redis, read and changed through Berth's own index (never SCAN): the set
 * of route names and, per route, the set of keys it owns. Each change is one MULTI/EXEC. Blocking.
 */
class PublishedView {

	private final StringRedisTemplate redis;

	private final KvChange.Index index;

	PublishedView(StringRedisTemplate redis, KvChange.Index index) {
		this.redis = redis;
		this.index = index;
	}

	KvChange.Index index() {
		return index;
	}

	Set<String> names() {
		Set<String> names = redis.opsForSet().members(index.names());
		return names == null ? Set.of() : names;
	}

	/** Everything Berth published, by route name; the host is not read back (empty). */
	Map<String, KvChange.Route> read() {
		Map<String, KvChange.Route> out = new HashMap<>();
		for (String name : names()) {
			Set<String> owned = redis.opsForSet().members(index.keysOf(name));
			List<String> keys = owned == null ? List.of() : new ArrayList<>(owned);
			List<@Nullable String> values = keys.isEmpty() ? List.of() : redis.opsForValue().multiGet(keys);
			Map<String, String> present = new LinkedHashMap<>();
			for (int i = 0; i < keys.size(); i++) {
				String value = values == null ? null : values.get(i);
				if (value != null) {
					present.put(keys.get(i), value);
				}
			}
			out.put(name, new KvChange.Route("", present, Set.copyOf(keys)));
		}
		return out;
	}

	boolean exists(String key) {
		return Boolean.TRUE.equals(redis.hasKey(key));
	}

	/** Applies a change atomically. */
	void apply(KvChange change) {
		if (change.isEmpty()) {
			return;
		}
		List<Object> results = redis.execute(new SessionCallback<List<Object>>() {
			@Override
			@SuppressWarnings({ "unchecked", "rawtypes" })
			public List<Object> execute(RedisOperations operations) throws DataAccessException {
				RedisOperations<String, String> ops = operations;
				ops.multi();
				for (KvChange.Op op : change.ops()) {
					switch (op) {
						case KvChange.Op.Set set -> ops.opsForValue().set(set.key(), set.value());
						case KvChange.Op.Delete delete -> ops.delete(delete.key());
						case KvChange.Op.AddToIndex add -> ops.opsForSet().add(add.index(), add.member());
						case KvChange.Op.RemoveFromIndex remove -> ops.opsForSet().remove(remove.index(), remove.member());
					}
				}
				return ops.exec();
			}
		});
		if (results == null || results.size() != change.ops().size()) {
			throw new IllegalStateException("Redis did not apply the route change (transaction discarded)");
		}
	}

}
