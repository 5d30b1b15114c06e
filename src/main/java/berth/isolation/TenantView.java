package berth.isolation;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import berth.policy.Endpoint.View;
import berth.policy.Endpoints;
import berth.policy.Policy;
import berth.policy.PublishedPorts;
import berth.web.DockerApiException;

/**
 * An engine's answer as the tenant sees it: its own names without the engine-side prefix (see
 * {@link Names}), lists filtered by name the way the engine filters them (the engine only sees the
 * engine-side names, so name filters are applied here), and {@code system df} narrowed to the
 * tenant's containers and volumes. Pure functions over small, whole JSON bodies, and a line-by-line
 * rewriter for streams of JSON objects (events, stats); no request or response types, so any request
 * path can use them.
 *
 * <p>
 * Which answers are rewritten: {@link #shape()}. Error bodies of any endpoint: {@link #error}.
 */
public final class TenantView {

	/** What has to be done to an endpoint's successful answer. */
	public enum Shape {

		/** passed on as the engine sent it */
		UNCHANGED,
		/** one small JSON document, rewritten whole: {@link #json} */
		JSON,
		/** a stream of JSON objects, one per line, rewritten as it streams: {@link #lines} */
		LINES

	}

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** What an invalid name filter matches: nothing, as with the engine. */
	private static final Pattern NOTHING = Pattern.compile("(?!)");

	/** The longest line a stream may carry; an engine event or stats object is a few KiB. */
	static final int MAX_LINE = 1 << 20;

	private final String tenant;

	private final View answer;

	/** The tenant's {@code name} filters, or null: the engine never sees them (see {@link Filters}). */
	private final @Nullable List<Pattern> names;

	private final int limit;

	private TenantView(String tenant, View answer, @Nullable List<Pattern> names, int limit) {
		this.tenant = tenant;
		this.answer = answer;
		this.names = names;
		this.limit = limit;
	}

	/** The view of one request's answer, from the request as the tenant sent it. */
	public static TenantView of(String tenant, String method, String rawPath, @Nullable String rawQuery) {
		View answer = Policy.endpoint(method, Endpoints.template(rawPath)).view();
		if (answer != View.CONTAINER_LIST && answer != View.VOLUME_LIST && answer != View.NETWORK_LIST) {
			return new TenantView(tenant, answer, null, 0);
		}
		try {
			Query query = Query.parse(rawQuery);
			List<String> given = Filters.values(query.first("filters"), "name");
			List<Pattern> names = given == null ? null : given.stream().map(TenantView::pattern).toList();
			return new TenantView(tenant, answer, names, answer == View.CONTAINER_LIST ? limit(query.first("limit")) : 0);
		}
		catch (DockerApiException malformed) {
			// refused before it reaches the engine (Ownership reads the same query)
			return new TenantView(tenant, answer, null, 0);
		}
	}

	public Shape shape() {
		return shapeOf(answer);
	}

	private static Shape shapeOf(View view) {
		return switch (view.rewrite()) {
			case UNTOUCHED -> Shape.UNCHANGED;
			case WHOLE -> Shape.JSON;
			case LINES -> Shape.LINES;
		};
	}

	/** A successful JSON answer ({@link Shape#JSON}) as the tenant sees it; unreadable bodies pass as they are. */
	public byte[] json(byte[] body) {
		if (answer != View.DISK_USAGE && names == null && !mentionsTenant(body)) {
			// nothing of the tenant's named in it (an empty list): as it is, without parsing
			return body;
		}
		JsonNode tree;
		try {
			tree = JSON.readTree(body);
		}
		catch (JacksonException e) {
			return body;
		}
		if (tree == null) {
			return body;
		}
		switch (answer) {
			case CONTAINER_LIST -> {
				if (!(tree instanceof ArrayNode list)) {
					return body;
				}
				ArrayNode kept = JSON.createArrayNode();
				for (JsonNode item : list) {
					if (item instanceof ObjectNode container) {
						listedContainer(container);
						if (matchesName(container.path("Names"), true) && (limit <= 0 || kept.size() < limit)) {
							kept.add(container);
						}
					}
				}
				tree = kept;
			}
			case CONTAINER -> inspectedContainer(tree);
			case VOLUME_LIST -> {
				if (tree.get("Volumes") instanceof ArrayNode list) {
					list.forEach(volume -> {
						shownText(volume, "Name");
						hideLabels(volume.get("Labels"));
					});
					((ObjectNode) tree).set("Volumes", keptByName(list, false));
				}
			}
			case VOLUME -> {
				shownText(tree, "Name");
				hideLabels(tree.get("Labels"));
			}
			case NETWORK_LIST -> {
				if (tree instanceof ArrayNode list) {
					list.forEach(this::network);
					tree = keptByName(list, false);
				}
			}
			case NETWORK -> network(tree);
			case DISK_USAGE -> diskUsage(tree);
			case VOLUME_PRUNE -> shownItems(tree.get("VolumesDeleted"));
			case NETWORK_PRUNE -> shownItems(tree.get("NetworksDeleted"));
			default -> {
				return body;
			}
		}
		return JSON.writeValueAsBytes(tree);
	}

	/** Whether the tenant's engine-side prefix occurs anywhere in the body. */
	private boolean mentionsTenant(byte[] body) {
		return mentionsTenant(tenant, body);
	}

	private static boolean mentionsTenant(String tenant, byte[] body) {
		byte[] prefix = (tenant + Names.SEPARATOR).getBytes(StandardCharsets.UTF_8);
		outer: for (int i = 0; i + prefix.length <= body.length; i++) {
			for (int j = 0; j < prefix.length; j++) {
				if (body[i + j] != prefix[j]) {
					continue outer;
				}
			}
			return true;
		}
		return false;
	}

	/** A rewriter for one streamed answer ({@link Shape#LINES}); it keeps a partial line between chunks. */
	public Lines lines() {
		return new Lines();
	}

	/**
	 * An error answer ({@code {"message": ...}}) with the tenant's engine-side names shown as its own:
	 * {@code Conflict. The container name "/acme_web" is already in use} reads {@code "/web"}.
	 */
	public byte[] error(byte[] body) {
		return error(tenant, body);
	}

	/** See {@link #error(byte[])}. */
	public static byte[] error(String tenant, byte[] body) {
		if (!mentionsTenant(tenant, body)) {
			// most errors name nothing of the tenant's: no parsing
			return body;
		}
		JsonNode tree;
		try {
			tree = JSON.readTree(body);
		}
		catch (JacksonException e) {
			return body;
		}
		if (!(tree instanceof ObjectNode object) || !(object.get("message") instanceof JsonNode message)
				|| !message.isString()) {
			return body;
		}
		String shown = shownInText(tenant, message.stringValue());
		if (shown.equals(message.stringValue())) {
			return body;
		}
		object.put("message", shown);
		byte[] out = JSON.writeValueAsBytes(object);
		// the engine ends its JSON with a newline (Go's json.Encoder); keep the shape
		return body.length > 0 && body[body.length - 1] == '\n' ? withNewline(out) : out;
	}

	/** Engine-side names of the tenant inside free text, at name boundaries, without their prefix. */
	static String shownInText(String tenant, String text) {
		Pattern prefix = Pattern.compile("(?<![A-Za-z0-9_.-])" + Pattern.quote(tenant + Names.SEPARATOR)
				+ "(?=[A-Za-z0-9])");
		return prefix.matcher(text).replaceAll("");
	}

	/**
	 * Rewrites a stream of JSON objects, one per line, as it arrives; a line may span chunks. Lines that
	 * are not JSON objects pass as they are.
	 */
	public final class Lines {

		private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

		private Lines() {
		}

		/** The complete lines of what has arrived so far, rewritten; the rest waits for the next chunk. */
		public byte[] feed(byte[] chunk) {
			ByteArrayOutputStream out = new ByteArrayOutputStream(chunk.length + 64);
			int start = 0;
			for (int i = 0; i < chunk.length; i++) {
				if (chunk[i] == '\n') {
					pending.write(chunk, start, i + 1 - start);
					out.writeBytes(line(pending.toByteArray()));
					pending.reset();
					start = i + 1;
				}
			}
			pending.write(chunk, start, chunk.length - start);
			if (pending.size() > MAX_LINE) {
				throw new IllegalStateException("a streamed JSON object longer than " + MAX_LINE + " bytes");
			}
			return out.toByteArray();
		}

		/** What is left when the stream ends: a last line without its newline, rewritten. */
		public byte[] finish() {
			byte[] rest = pending.toByteArray();
			pending.reset();
			return rest.length == 0 ? rest : line(rest);
		}

		private byte[] line(byte[] line) {
			int end = line.length;
			while (end > 0 && (line[end - 1] == '\n' || line[end - 1] == '\r')) {
				end--;
			}
			JsonNode tree;
			try {
				tree = JSON.readTree(new String(line, 0, end, StandardCharsets.UTF_8));
			}
			catch (JacksonException e) {
				return line;
			}
			if (!(tree instanceof ObjectNode object)) {
				return line;
			}
			if (answer == View.EVENTS) {
				event(object);
			}
			else {
				shownText(object, "name");
			}
			byte[] out = JSON.writeValueAsBytes(object);
			return end < line.length ? withNewline(out) : out;
		}

	}

	private void listedContainer(ObjectNode container) {
		PublishedPorts.showListed(container);
		ObjectNode asked = HostStorage.asked(container.path("Labels"));
		if (container.get("Names") instanceof ArrayNode names) {
			for (int i = 0; i < names.size(); i++) {
				if (names.get(i).isString()) {
					names.set(i, shownPath(names.get(i).stringValue()));
				}
			}
		}
		shownImage(container, "Image");
		givenImage(container, "Image", container.path("Labels"));
		hideLabels(container.get("Labels"));
		shownText(container.path("HostConfig"), "NetworkMode");
		shownKeys(container.path("NetworkSettings"), "Networks");
		mounts(container.get("Mounts"), asked);
	}

	private void inspectedContainer(JsonNode container) {
		PublishedPorts.showInspected(container);
		ObjectNode asked = HostStorage.asked(container.path("Config").path("Labels"));
		shownText(container, "Name");
		JsonNode config = container.path("Config");
		shownImage(config, "Image");
		givenImage(config, "Image", config.path("Labels"));
		hideLabels(config.get("Labels"));
		defaultEndpoint(container.path("NetworkSettings"));
		JsonNode hostConfig = container.path("HostConfig");
		shownText(hostConfig, "NetworkMode");
		if (hostConfig.get("Links") instanceof ArrayNode links) {
			for (int i = 0; i < links.size(); i++) {
				if (links.get(i).isString()) {
					String[] parts = links.get(i).stringValue().split(":", -1);
					for (int p = 0; p < parts.length; p++) {
						parts[p] = shownPath(parts[p]);
					}
					links.set(i, String.join(":", parts));
				}
			}
		}
		if (hostConfig.get("Binds") instanceof ArrayNode binds) {
			for (int i = 0; i < binds.size(); i++) {
				String bind = binds.get(i).asString("");
				int colon = bind.indexOf(':');
				if (colon > 0 && !bind.startsWith("/")) {
					binds.set(i, Names.shown(tenant, bind.substring(0, colon)) + bind.substring(colon));
				}
			}
		}
		if (hostConfig.get("Mounts") instanceof ArrayNode mounts) {
			for (JsonNode mount : mounts) {
				if (isVolume(mount)) {
					shownText(mount, "Source");
				}
			}
		}
		if (asked != null && hostConfig instanceof ObjectNode object) {
			// the binds and bind mounts as the tenant gave them, where Berth made storage of its own of them
			asked.properties().forEach(field -> object.set(field.getKey(), field.getValue()));
		}
		mounts(container.get("Mounts"), asked);
		shownKeys(container.path("NetworkSettings"), "Networks");
		for (JsonNode endpoint : container.path("NetworkSettings").path("Networks")) {
			if (endpoint.get("Links") instanceof ArrayNode links) {
				for (int i = 0; i < links.size(); i++) {
					String link = links.get(i).asString("");
					int colon = link.indexOf(':');
					String name = colon < 0 ? link : link.substring(0, colon);
					links.set(i, Names.shown(tenant, name) + (colon < 0 ? "" : link.substring(colon)));
				}
			}
		}
	}

	/**
	 * The {@code Mounts} of an inspect or list answer: a volume's {@code Name} (its Source is a path on
	 * the engine); a volume Berth made of a bind ({@link HostStorage}) as the bind the tenant asked for.
	 */
	private void mounts(@Nullable JsonNode mounts, @Nullable ObjectNode asked) {
		if (!(mounts instanceof ArrayNode list)) {
			return;
		}
		Map<String, String> sources = asked == null ? Map.of() : HostStorage.sources(asked);
		for (JsonNode mount : list) {
			if (!isVolume(mount)) {
				continue;
			}
			shownText(mount, "Name");
			String source = sources.get(mount.path("Name").asString(""));
			if (source != null && mount instanceof ObjectNode object) {
				object.put("Type", "bind");
				object.put("Source", source);
				object.remove("Name");
				object.remove("Driver");
				object.put("Propagation", "rprivate");
			}
		}
	}

	private static boolean isVolume(JsonNode mount) {
		String type = mount.path("Type").asString("");
		return type.isEmpty() || type.equals("volume");
	}

	private void network(JsonNode network) {
		shownText(network, "Name");
		hideLabels(network.get("Labels"));
		for (JsonNode endpoint : network.path("Containers")) {
			shownText(endpoint, "Name");
		}
	}

	/** {@code system df}: only the tenant's containers and volumes, with its names. */
	private void diskUsage(JsonNode usage) {
		if (!(usage instanceof ObjectNode object)) {
			return;
		}
		if (object.get("Containers") instanceof ArrayNode containers) {
			ArrayNode kept = JSON.createArrayNode();
			for (JsonNode container : containers) {
				if (container instanceof ObjectNode item && owned(item.path("Labels"))) {
					listedContainer(item);
					kept.add(item);
				}
			}
			object.set("Containers", kept);
		}
		if (object.get("Volumes") instanceof ArrayNode volumes) {
			ArrayNode kept = JSON.createArrayNode();
			for (JsonNode volume : volumes) {
				if (owned(volume.path("Labels"))) {
					shownText(volume, "Name");
					hideLabels(volume.get("Labels"));
					kept.add(volume);
				}
			}
			object.set("Volumes", kept);
		}
	}

	private boolean owned(JsonNode labels) {
		return tenant.equals(labels.path(Ownership.OWNER_LABEL).asString(""));
	}

	private void event(ObjectNode event) {
		JsonNode actor = event.path("Actor");
		JsonNode attributes = actor.path("Attributes");
		shownText(attributes, "name");
		shownText(attributes, "oldName");
		if ("container".equals(event.path("Type").asString(""))) {
			// legacy fields and the image attribute name the image the container runs; a commit's, the image it made
			boolean commit = "commit".equals(event.path("Action").asString(""));
			if (!commit) {
				givenImage(attributes, "image", attributes);
				givenImage(event, "from", attributes);
			}
			shownImage(attributes, "image");
			shownImage(event, "from");
			shownImage(attributes, "imageRef");
		}
		// a container's labels are its event attributes
		hideLabels(attributes);
		if ("volume".equals(event.path("Type").asString(""))) {
			// a volume's ID is its name
			shownText(actor, "ID");
			shownText(event, "id");
		}
	}

	/** Items of a list kept by the tenant's name filters (any of them matching), names shown already. */
	private ArrayNode keptByName(ArrayNode list, boolean container) {
		if (names == null) {
			return list;
		}
		ArrayNode kept = JSON.createArrayNode();
		for (JsonNode item : list) {
			if (matchesName(item.path("Name"), container)) {
				kept.add(item);
			}
		}
		return kept;
	}

	/**
	 * Whether a name matches one of the tenant's name filters, as the engine matches: a regular
	 * expression found anywhere in the name; a container's name with or without its leading slash.
	 * An invalid expression matches nothing.
	 */
	private boolean matchesName(JsonNode name, boolean container) {
		if (names == null) {
			return true;
		}
		String text = name.isArray() ? (name.isEmpty() ? "" : name.get(0).asString("")) : name.asString("");
		for (Pattern pattern : names) {
			if (pattern.matcher(text).find()) {
				return true;
			}
			if (container && text.startsWith("/") && pattern.matcher(text.substring(1)).find()) {
				return true;
			}
		}
		return false;
	}

	/** {@code /acme_web} or {@code /acme_web/acme_db} (a link's name) as the tenant calls it. */
	private String shownPath(String path) {
		if (path.indexOf('/', 1) < 0) {
			return Names.shown(tenant, path);
		}
		String[] segments = path.split("/", -1);
		for (int i = 0; i < segments.length; i++) {
			segments[i] = Names.shown(tenant, segments[i]);
		}
		return String.join("/", segments);
	}

	/**
	 * Labels only Berth sets ({@code berth.tenant}, {@code berth.image}, ...), which the tenant never
	 * set and which code comparing labels must not find; {@code berth.http}, which tenants set, stays.
	 */
	private static void hideLabels(@Nullable JsonNode labels) {
		if (labels instanceof ObjectNode object) {
			object.properties().removeIf(label -> hidden(label.getKey()));
		}
	}

	/** Whether a label key is one of Berth's own marks. */
	static boolean hidden(String label) {
		return label.startsWith(BERTH_LABELS) && !label.equals(ROUTE_LABEL);
	}

	private static final String BERTH_LABELS = "berth.";

	private static final String ROUTE_LABEL = "berth.http";

	/**
	 * The image reference of a container as the tenant wrote it at create ({@link ImageRules} keeps it
	 * in a label), where the engine shows the reference it was given: the tenant's own tag
	 * ({@code berth.local/acme/d/alpine:latest}) or a pinned ID read back as {@code alpine}.
	 */
	private static void givenImage(JsonNode node, String field, JsonNode labels) {
		if (node instanceof ObjectNode object && object.get(field) instanceof JsonNode value && value.isString()
				&& labels.get(ImageRules.GIVEN_LABEL) instanceof JsonNode given && given.isString()
				&& !given.stringValue().isEmpty()) {
			object.put(field, given.stringValue());
		}
	}

	/**
	 * The top-level endpoint fields of an inspect, as a private engine fills them for a container on
	 * its default {@code bridge}: from the endpoint on the tenant's default network, which is an
	 * ordinary network on the engine, whose top-level fields are therefore empty.
	 */
	private void defaultEndpoint(JsonNode settings) {
		if (!(settings instanceof ObjectNode object)
				|| !(settings.path("Networks").get(Names.defaultNetwork(tenant)) instanceof ObjectNode endpoint)
				|| !object.path("IPAddress").asString("").isEmpty()) {
			return;
		}
		for (String field : ENDPOINT_FIELDS) {
			if (endpoint.get(field) instanceof JsonNode value) {
				object.set(field, value);
			}
		}
	}

	private static final List<String> ENDPOINT_FIELDS = List.of("EndpointID", "Gateway", "GlobalIPv6Address",
			"GlobalIPv6PrefixLen", "IPAddress", "IPPrefixLen", "IPv6Gateway", "MacAddress");

	/** An image reference in the tenant's own namespace ({@code berth.local/acme/d/app:1}) as it wrote it. */
	private void shownImage(JsonNode node, String field) {
		if (node instanceof ObjectNode object && object.get(field) instanceof JsonNode value && value.isString()) {
			ImageNames.shown(tenant, value.stringValue()).ifPresent(shown -> object.put(field, shown));
		}
	}

	private void shownText(JsonNode node, String field) {
		if (node instanceof ObjectNode object && object.get(field) instanceof JsonNode value && value.isString()) {
			object.put(field, Names.shown(tenant, value.stringValue()));
		}
	}

	private void shownItems(@Nullable JsonNode node) {
		if (node instanceof ArrayNode list) {
			for (int i = 0; i < list.size(); i++) {
				if (list.get(i).isString()) {
					list.set(i, Names.shown(tenant, list.get(i).stringValue()));
				}
			}
		}
	}

	/** An object's keys shown as the tenant's names, in their order. */
	private void shownKeys(JsonNode parent, String field) {
		if (!(parent instanceof ObjectNode object) || !(object.get(field) instanceof ObjectNode keyed)) {
			return;
		}
		ObjectNode renamed = JSON.createObjectNode();
		for (Map.Entry<String, JsonNode> entry : keyed.properties()) {
			renamed.set(Names.shown(tenant, entry.getKey()), entry.getValue());
		}
		object.set(field, renamed);
	}

	private static Pattern pattern(String expression) {
		try {
			return Pattern.compile(expression);
		}
		catch (PatternSyntaxException e) {
			return NOTHING;
		}
	}

	static int limit(@Nullable String value) {
		try {
			return value == null ? 0 : Integer.parseInt(value.trim());
		}
		catch (NumberFormatException e) {
			return 0;
		}
	}

	private static byte[] withNewline(byte[] json) {
		byte[] out = java.util.Arrays.copyOf(json, json.length + 1);
		out[json.length] = '\n';
		return out;
	}

}
