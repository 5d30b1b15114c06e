package berth.policy;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * The shape of a Docker API struct as the engine decodes it: Go matches JSON keys to field names
 * case-insensitively, so the policy must know which objects are structs (keys are field names, to be
 * put in canonical casing, unknown ones refused) and which are maps (keys are data: labels, options).
 */
public final class Schema {

	/** How the value of a field is read. */
	sealed interface Kind {
	}

	/** A scalar, a list of scalars, or anything the policy does not descend into. */
	record Value() implements Kind {
	}

	/** A JSON object whose keys are data (labels, options, sysctls). */
	record MapOf(Kind values) implements Kind {
	}

	/** A JSON array of elements of one kind. */
	record ListOf(Kind elements) implements Kind {
	}

	/** A nested struct. */
	record Nested(Schema schema) implements Kind {
	}

	/**
	 * A field of older API versions that the engine no longer reads, which client libraries still
	 * send (docker-java's {@code PortSpecs}, {@code DiskQuota}, {@code LxcConf}): accepted empty and
	 * dropped, refused otherwise.
	 */
	record Unread() implements Kind {
	}

	static final Kind VALUE = new Value();

	static final Kind MAP = new MapOf(VALUE);

	static final Kind UNREAD = new Unread();

	private final String name;

	private final Map<String, String> canonical = new LinkedHashMap<>();

	private final Map<String, Kind> kinds = new LinkedHashMap<>();

	/** Whether keys that name no field are read (verbatim) when their value is null, for a rule to check. */
	private boolean nullExtras;

	private Schema(String name) {
		this.name = name;
	}

	static Schema of(String name, String... valueFields) {
		Schema schema = new Schema(name);
		for (String field : valueFields) {
			schema.field(field, VALUE);
		}
		return schema;
	}

	Schema field(String field, Kind kind) {
		canonical.put(field.toLowerCase(Locale.ROOT), field);
		kinds.put(field, kind);
		return this;
	}

	/** Fields the engine no longer reads (see {@link Unread}). */
	Schema unread(String... fields) {
		for (String field : fields) {
			field(field, UNREAD);
		}
		return this;
	}

	Schema field(String field, Schema nested) {
		return field(field, new Nested(nested));
	}

	/**
	 * The same struct, whose keys that name no field are kept as they are when their value is
	 * {@code null} (the engine ignores them), so that a rule can check them and take them out; any
	 * other unknown key is still refused.
	 */
	Schema withNullExtras() {
		nullExtras = true;
		return this;
	}

	boolean nullExtras() {
		return nullExtras;
	}

	/** A copy with more fields. */
	Schema with(String newName, Schema extra) {
		Schema copy = new Schema(newName);
		kinds.forEach(copy::field);
		extra.kinds.forEach(copy::field);
		return copy;
	}

	String name() {
		return name;
	}

	@Nullable String canonical(String key) {
		return canonical.get(key.toLowerCase(Locale.ROOT));
	}

	Kind kind(String canonicalField) {
		return kinds.get(canonicalField);
	}

}
