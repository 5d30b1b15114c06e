package berth.isolation;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import berth.policy.BodyRule;
import berth.policy.GoPaths;

/**
 * A bind of a host path becomes storage of the tenant's own: a volume named from the path
 * ({@link #volumeName}), so that {@code down} and {@code up} again, or another container naming the
 * same path, find the same data. The host's file system is never mounted. {@code Binds} (the CLI's
 * {@code -v}, compose v1) and {@code Mounts} of type bind ({@code --mount}, compose v2) are treated
 * alike; the container path and the read-only flag stay. The tenant's own binds are kept in the
 * {@value #LABEL} label, from which {@link TenantView} shows inspect, {@code ps} and compose the paths
 * the tenant asked for. Runs after the policy refused the paths that only mean the host
 * ({@code policy/HostPaths}) and before {@link ReferenceRules} claims the volumes for the tenant and
 * puts them in its namespace, exactly like volumes the tenant named.
 */
@Component
@Order(50)
class HostStorage implements BodyRule {

	/** The binds and bind mounts as the tenant gave them, as JSON; empty when none was rewritten. */
	static final String LABEL = "berth.binds";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** Bind options that only mean something for a host directory (mount propagation). */
	private static final Set<String> PROPAGATION = Set.of("shared", "rshared", "slave", "rslave", "private",
			"rprivate");

	/** The most characters of the path a volume's name shows; the hash keeps it unique. */
	private static final int SHOWN_PATH = 48;

	@Override
	public boolean appliesTo(String endpoint) {
		return endpoint.equals("POST /containers/create");
	}

	/**
	 * On an engine of the tenant's own (its VM) a bind is the VM's own storage, mounted as asked and
	 * shown by the engine as asked; the VM's system paths stay refused ({@code policy/HostPaths}, which
	 * every engine's requests pass).
	 */
	@Override
	public boolean sharedEngineOnly() {
		return true;
	}

	@Override
	public Mono<Void> apply(Request request, ObjectNode body) {
		return Mono.fromRunnable(() -> rewrite(body));
	}

	/** Rewrites a create body's host binds into volumes, keeping what was asked in the label. */
	static void rewrite(ObjectNode body) {
		ObjectNode asked = JSON.createObjectNode();
		if (body.get("HostConfig") instanceof ObjectNode hostConfig) {
			if (hostConfig.get("Binds") instanceof ArrayNode binds) {
				binds(binds, asked);
			}
			if (hostConfig.get("Mounts") instanceof ArrayNode mounts) {
				mounts(mounts, asked);
			}
		}
		// always set: a committed image carries the labels of the container it was made from
		JsonNode labels = body.get("Labels");
		(labels instanceof ObjectNode object ? object : body.putObject("Labels")).put(LABEL,
				asked.isEmpty() ? "" : JSON.writeValueAsString(asked));
	}

	private static void binds(ArrayNode binds, ObjectNode asked) {
		ArrayNode original = binds.deepCopy();
		boolean rewritten = false;
		for (int i = 0; i < binds.size(); i++) {
			String spec = binds.get(i).asString("");
			int colon = spec.indexOf(':');
			if (!spec.startsWith("/") || colon < 0) {
				continue;
			}
			String rest = spec.substring(colon + 1);
			int options = rest.indexOf(':');
			String target = options < 0 ? rest : rest.substring(0, options);
			String mode = options < 0 ? "" : volumeMode(rest.substring(options + 1));
			binds.set(i, volumeName(spec.substring(0, colon)) + ":" + target + (mode.isEmpty() ? "" : ":" + mode));
			rewritten = true;
		}
		if (rewritten) {
			asked.set("Binds", original);
		}
	}

	private static void mounts(ArrayNode mounts, ObjectNode asked) {
		ArrayNode original = mounts.deepCopy();
		boolean rewritten = false;
		for (JsonNode mount : mounts) {
			if (mount instanceof ObjectNode object && "bind".equals(object.path("Type").asString(""))) {
				object.put("Type", "volume");
				object.put("Source", volumeName(object.path("Source").asString("")));
				object.remove("BindOptions");
				rewritten = true;
			}
		}
		if (rewritten) {
			asked.set("Mounts", original);
		}
	}

	/** A bind's options as a volume takes them: read-only, SELinux labels and nocopy stay; propagation goes. */
	private static String volumeMode(String mode) {
		List<String> kept = new ArrayList<>();
		for (String option : mode.split(",")) {
			if (!option.isEmpty() && !PROPAGATION.contains(option)) {
				kept.add(option);
			}
		}
		return String.join(",", kept);
	}

	/**
	 * The volume a host path names: its last two parts and 12 hex digits of the SHA-256 of the cleaned
	 * path ({@code /srv/app/data} is {@code app-data-<hash>}), in the characters a volume name may
	 * have. The same path always names the same volume; different paths, different volumes.
	 */
	static String volumeName(String path) {
		String clean = GoPaths.cleanRelative(path);
		String[] parts = clean.isEmpty() ? new String[0] : clean.split("/");
		String tail = parts.length == 0 ? "" : parts.length == 1 ? parts[0]
				: parts[parts.length - 2] + "-" + parts[parts.length - 1];
		String shown = tail.replaceAll("[^a-zA-Z0-9_.-]+", "-").replaceAll("^[^a-zA-Z0-9]+", "");
		if (shown.length() > SHOWN_PATH) {
			shown = shown.substring(shown.length() - SHOWN_PATH).replaceAll("^[^a-zA-Z0-9]+", "");
		}
		String hash = HexFormat.of().formatHex(sha256("/" + clean)).substring(0, 12);
		return (shown.isEmpty() ? "bind" : shown) + "-" + hash;
	}

	/**
	 * What the {@value #LABEL} label of a container says, or null when it says nothing (no host bind,
	 * or a label that is not Berth's JSON).
	 */
	static @Nullable ObjectNode asked(JsonNode labels) {
		String text = labels.path(LABEL).asString("");
		if (text.isEmpty()) {
			return null;
		}
		try {
			return JSON.readTree(text) instanceof ObjectNode object ? object : null;
		}
		catch (JacksonException e) {
			return null;
		}
	}

	/** The host path each volume made from a bind stands for, by volume name (tenant-side). */
	static Map<String, String> sources(ObjectNode asked) {
		Map<String, String> sources = new LinkedHashMap<>();
		for (JsonNode bind : asked.path("Binds")) {
			String spec = bind.asString("");
			int colon = spec.indexOf(':');
			if (spec.startsWith("/") && colon > 0) {
				sources.put(volumeName(spec.substring(0, colon)), spec.substring(0, colon));
			}
		}
		for (JsonNode mount : asked.path("Mounts")) {
			if ("bind".equals(mount.path("Type").asString(""))) {
				String source = mount.path("Source").asString("");
				sources.put(volumeName(source), source);
			}
		}
		return sources;
	}

	private static byte[] sha256(String text) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
		}
		catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException("every Java runtime has SHA-256", e);
		}
	}

}
