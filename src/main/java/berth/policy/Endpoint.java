package berth.policy;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;

/**
 * One row of the endpoint registry ({@link ApiTable}): all that Berth knows about one Docker API
 * endpoint. Whether it is allowed, the body it takes, the query parameters the engine reads, the
 * object its path names, how that tenant's objects are kept apart from other tenants' on a shared
 * engine, how the answer is shown to the tenant, whether it upgrades the connection, and the label it
 * is counted under.
 *
 * @param key {@code METHOD template}, the version prefix removed
 * @param access allowed, refused, or allowed only while BuildKit is on
 * @param refusal why it is refused; null when it is not
 * @param query the policed parameters, with the values each accepts
 */
public record Endpoint(String key, Access access, @Nullable String refusal, Body body, @Nullable Schema schema,
		Params params, List<QueryRule> query, Named named, Isolation isolation, View view, boolean upgrades) {

	/** Whether a tenant may call an endpoint. */
	public enum Access {

		ALLOWED,
		/** Refused by rule {@code endpoint}, with the row's reason. */
		REFUSED,
		/** A BuildKit session: refused by rule {@code buildkit} unless {@code berth.policy.buildkit} is on. */
		BUILDKIT

	}

	/** The kind of object the path names by its second segment, if any. */
	public enum Named {

		NOTHING, CONTAINER, EXEC, VOLUME, NETWORK, IMAGE

	}

	/** How a shared engine keeps one tenant's objects apart from another's for this endpoint. */
	public enum Isolation {

		/** Nothing of a tenant's is named or listed. */
		NONE,
		/** The object the path names must be the tenant's; it is then addressed by its engine-side ID or name. */
		OWNED,
		/** A list, event stream or prune: narrowed to the tenant's objects by the owner label. */
		SCOPED,
		/** A container is created: its name goes into the tenant's namespace. */
		CREATED,
		/** The container the path names must be the tenant's, and its new name goes into the namespace. */
		RENAMED,
		/** The container the query names must be the tenant's. */
		COMMITTED,
		/** Image names are the tenant's namespace: the image module plans the request. */
		IMAGES,
		/** Berth answers with the tenant's share of the engine's summary. */
		SUMMARY

	}

	/** How the answer is shown to the tenant: rewritten whole, line by line, or untouched. */
	public enum Rewrite {

		UNTOUCHED, WHOLE, LINES

	}

	/** The tenant's view of an endpoint's successful answer, and how it is rewritten. */
	public enum View {

		AS_SENT(Rewrite.UNTOUCHED), CONTAINER_LIST(Rewrite.WHOLE), CONTAINER(Rewrite.WHOLE),
		VOLUME_LIST(Rewrite.WHOLE), VOLUME(Rewrite.WHOLE), NETWORK_LIST(Rewrite.WHOLE), NETWORK(Rewrite.WHOLE),
		DISK_USAGE(Rewrite.WHOLE), VOLUME_PRUNE(Rewrite.WHOLE), NETWORK_PRUNE(Rewrite.WHOLE), EVENTS(Rewrite.LINES),
		STATS(Rewrite.LINES);

		private final Rewrite rewrite;

		View(Rewrite rewrite) {
			this.rewrite = rewrite;
		}

		public Rewrite rewrite() {
			return rewrite;
		}

	}

	/** A query parameter the policy reads, with the values it accepts. */
	public record QueryRule(String name, String rule, Predicate<String> accepts, String refusal) {
	}

	/**
	 * The query parameters the engine reads for an endpoint: those it reads once and those it reads as
	 * a list. Any other parameter is one the engine never reads.
	 */
	public record Params(Set<String> single, Set<String> multi) {

		static final Params NONE = new Params(Set.of(), Set.of());

		/** From a row's spec: names separated by spaces, list-valued ones marked with a trailing {@code *}. */
		static Params of(String spec) {
			Set<String> single = new LinkedHashSet<>();
			Set<String> multi = new LinkedHashSet<>();
			for (String name : spec.trim().split(" +")) {
				if (name.endsWith("*")) {
					multi.add(name.substring(0, name.length() - 1));
				}
				else if (!name.isEmpty()) {
					single.add(name);
				}
			}
			return new Params(Set.copyOf(single), Set.copyOf(multi));
		}

		public boolean repeatable(String name) {
			return multi.contains(name);
		}

	}

	public boolean refused() {
		return access == Access.REFUSED;
	}

	public String method() {
		return key.substring(0, key.indexOf(' '));
	}

	public String template() {
		return key.substring(key.indexOf(' ') + 1);
	}

	/** The label the endpoint's requests are counted under: its template. */
	public String metric() {
		return template();
	}

	/**
	 * Whether a shared engine's isolation reads or changes the request or its answer: an engine of the
	 * tenant's own needs none of it.
	 */
	public boolean isolated() {
		return isolation != Isolation.NONE || view != View.AS_SENT;
	}

}
