package berth.policy;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a container's HostConfig may ask for, field by field, as a table read top to bottom. Each row
 * names the field, the rule (for metrics and audit), and a check that returns {@code null} when the
 * value is acceptable or the refusal message. Fields not in the HostConfig schema are refused before
 * this table is read; fields in the schema but not in this table (restart policy, DNS, ulimits, port
 * bindings, ...) cannot open the host and are allowed. Resource limits are the plan's business
 * ({@link Quotas}).
 */
final class HostConfigRules {

	record Row(String field, String rule, Function<JsonNode, @Nullable String> check) {
	}

	/** Docker's default capability set: asking for one of these again changes nothing. */
	static final Set<String> DEFAULT_CAPABILITIES = Set.of("CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD",
			"NET_RAW", "SETGID", "SETUID", "SETFCAP", "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT", "KILL",
			"AUDIT_WRITE");

	/** Sysctls that are namespaced per container network and harmless to the host. */
	static final Set<String> SAFE_SYSCTLS = Set.of("net.core.somaxconn", "net.ipv4.ip_local_port_range",
			"net.ipv4.ip_unprivileged_port_start", "net.ipv4.ping_group_range", "net.ipv4.tcp_keepalive_time",
			"net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes", "net.ipv4.tcp_fin_timeout",
			"net.ipv4.tcp_tw_reuse", "net.ipv4.tcp_syncookies", "net.ipv6.conf.all.disable_ipv6",
			"net.ipv6.conf.default.disable_ipv6", "net.ipv6.conf.lo.disable_ipv6");

	/** Drivers that keep logs on the engine, or ({@code none}) nowhere. */
	static final Set<String> LOG_DRIVERS = Set.of("", "json-file", "local", "none");

	static final Set<String> LOG_OPTIONS = Set.of("max-size", "max-file", "compress", "labels", "labels-regex", "env",
			"env-regex", "tag", "mode", "max-buffer-size");

	/** A named volume; anything else in a bind's source is a host path. */
	static final Pattern VOLUME_NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");

	static final List<Row> ROWS = List.of(
			row("Privileged", "privileged", v -> Values.zero(v) ? null : "privileged containers are not allowed"),
			row("CapAdd", "capabilities", HostConfigRules::capabilities),
			row("Devices", "devices", v -> Values.zero(v) ? null : "host devices cannot be passed to containers"),
			row("DeviceRequests", "devices",
					v -> Values.zero(v) ? null : "device requests (GPUs and other host devices) are not allowed"),
			row("DeviceCgroupRules", "devices", v -> Values.zero(v) ? null : "device cgroup rules are not allowed"),
			row("SecurityOpt", "security-opt", HostConfigRules::securityOptions),
			row("MaskedPaths", "masked-paths",
					v -> Values.absent(v) ? null : "changing which paths are masked in a container is not allowed"),
			row("ReadonlyPaths", "readonly-paths",
					v -> Values.absent(v) ? null : "changing which paths are read-only in a container is not allowed"),
			row("CgroupParent", "cgroup", v -> Values.zero(v) ? null : "choosing the cgroup parent is not allowed"),
			row("Cgroup", "cgroup", v -> Values.zero(v) ? null : "joining another cgroup is not allowed"),
			row("CgroupnsMode", "cgroupns", v -> oneOf(v, "", "private") ? null
					: "the host's cgroup namespace is not available to containers"),
			row("Runtime", "runtime", v -> oneOf(v, "", "runc") ? null
					: "only the default container runtime is available (Runtime: " + Values.text(v) + ")"),
			row("Sysctls", "sysctls", HostConfigRules::sysctls),
			row("OomKillDisable", "oom", v -> Values.zero(v) ? null : "disabling the OOM killer is not allowed"),
			row("OomScoreAdj", "oom", v -> Values.number(v) >= 0 ? null : "negative OOM score adjustments are not allowed"),
			row("NetworkMode", "network-mode", v -> namespace(v, "network")),
			row("PidMode", "pid-mode", v -> Values.zero(v) ? null : namespaceRefusal(v, "PID")),
			row("IpcMode", "ipc-mode",
					v -> oneOf(v, "", "private", "shareable", "none") ? null : namespaceRefusal(v, "IPC")),
			row("UTSMode", "uts-mode", v -> Values.zero(v) ? null : namespaceRefusal(v, "UTS")),
			row("UsernsMode", "userns-mode", v -> Values.zero(v) ? null : namespaceRefusal(v, "user")),
			row("Binds", "host-path", HostConfigRules::binds),
			row("Mounts", "host-path", HostConfigRules::mounts),
			row("VolumeDriver", "volume-driver", v -> oneOf(v, "", "local") ? null
					: "volume drivers other than local are not allowed (VolumeDriver: " + Values.text(v) + ")"),
			row("LogConfig", "log-driver", HostConfigRules::logConfig),
			row("Isolation", "isolation", v -> oneOf(v, "", "default") ? null : "choosing an isolation technology is not allowed"),
			row("StorageOpt", "storage-opt", v -> Values.zero(v) ? null : "storage driver options are not allowed"),
			row("Annotations", "annotations", v -> Values.zero(v) ? null : "runtime annotations are not allowed"),
			row("KernelMemory", "kernel-memory", v -> Values.zero(v) ? null : "kernel memory limits are not supported"),
			row("KernelMemoryTCP", "kernel-memory", v -> Values.zero(v) ? null : "kernel memory limits are not supported"),
			row("CpuRealtimePeriod", "realtime", v -> Values.zero(v) ? null : "realtime scheduling is not allowed"),
			row("CpuRealtimeRuntime", "realtime", v -> Values.zero(v) ? null : "realtime scheduling is not allowed"),
			row("CpuCount", "windows-only", v -> Values.zero(v) ? null : "CpuCount is not supported"),
			row("CpuPercent", "windows-only", v -> Values.zero(v) ? null : "CpuPercent is not supported"),
			row("IOMaximumIOps", "windows-only", v -> Values.zero(v) ? null : "IOMaximumIOps is not supported"),
			row("IOMaximumBandwidth", "windows-only", v -> Values.zero(v) ? null : "IOMaximumBandwidth is not supported"),
			row("BlkioWeightDevice", "host-devices", v -> Values.zero(v) ? null : "per-device I/O settings name host devices and are not allowed"),
			row("BlkioDeviceReadBps", "host-devices", v -> Values.zero(v) ? null : "per-device I/O settings name host devices and are not allowed"),
			row("BlkioDeviceWriteBps", "host-devices", v -> Values.zero(v) ? null : "per-device I/O settings name host devices and are not allowed"),
			row("BlkioDeviceReadIOps", "host-devices", v -> Values.zero(v) ? null : "per-device I/O settings name host devices and are not allowed"),
			row("BlkioDeviceWriteIOps", "host-devices", v -> Values.zero(v) ? null : "per-device I/O settings name host devices and are not allowed"));

	private HostConfigRules() {
	}

	/** Runs every row against a canonical HostConfig, reporting each refusal. */
	static void check(ObjectNode hostConfig, Verdict verdict) {
		for (Row row : ROWS) {
			String refusal = row.check().apply(hostConfig.get(row.field()));
			if (refusal != null) {
				verdict.refuse(row.rule(), refusal);
			}
		}
	}

	/** Receives refusals: throws them, or (audit mode) records them and carries on. */
	interface Verdict {

		void refuse(String rule, String message);

	}

	private static Row row(String field, String rule, Function<JsonNode, @Nullable String> check) {
		return new Row(field, rule, check);
	}

	static boolean oneOf(@Nullable JsonNode value, String... allowed) {
		String text = Values.text(value);
		for (String candidate : allowed) {
			if (candidate.equals(text)) {
				return true;
			}
		}
		return false;
	}

	private static @Nullable String capabilities(@Nullable JsonNode value) {
		for (String cap : Values.strings(value)) {
			String name = cap.toUpperCase(Locale.ROOT);
			name = name.startsWith("CAP_") ? name.substring(4) : name;
			if (!DEFAULT_CAPABILITIES.contains(name)) {
				return "adding capabilities beyond Docker's defaults is not allowed (CapAdd: " + cap + ")";
			}
		}
		return null;
	}

	private static @Nullable String securityOptions(@Nullable JsonNode value) {
		for (String option : Values.strings(value)) {
			String normal = option.trim().toLowerCase(Locale.ROOT);
			if (!(normal.equals("no-new-privileges") || normal.equals("no-new-privileges:true")
					|| normal.equals("no-new-privileges=true"))) {
				return "security options other than no-new-privileges are not allowed (SecurityOpt: " + option + ")";
			}
		}
		return null;
	}

	private static @Nullable String sysctls(@Nullable JsonNode value) {
		if (Values.absent(value) || !value.isObject()) {
			return Values.zero(value) ? null : "Sysctls must be an object";
		}
		for (String name : value.propertyNames()) {
			if (!SAFE_SYSCTLS.contains(name)) {
				return "the sysctl " + name + " is not in the allowed set";
			}
		}
		return null;
	}

	private static @Nullable String namespace(@Nullable JsonNode value, String kind) {
		String mode = Values.text(value);
		if (mode.equals("host")) {
			return "the host's " + kind + " is not available to containers";
		}
		if (mode.startsWith("container:")) {
			return "joining another container's " + kind + " namespace is not allowed";
		}
		return null;
	}

	private static String namespaceRefusal(@Nullable JsonNode value, String kind) {
		String mode = Values.text(value);
		return mode.startsWith("container:") ? "joining another container's " + kind + " namespace is not allowed"
				: "the host's " + kind + " namespace is not available to containers (" + mode + ")";
	}

	/**
	 * {@code source:target[:options]}: a named volume, or a host path that becomes storage of the
	 * tenant's own unless {@link HostPaths} refuses it.
	 */
	private static @Nullable String binds(@Nullable JsonNode value) {
		for (String bind : Values.strings(value)) {
			int colon = bind.indexOf(':');
			if (colon < 0) {
				return "a bind names a source and a container path (bind " + bind + "); use a named volume or an"
						+ " absolute host path before the colon";
			}
			String source = bind.substring(0, colon);
			if (!VOLUME_NAME.matcher(source).matches()) {
				String refusal = HostPaths.refusal(source, "bind " + bind);
				if (refusal != null) {
					return refusal;
				}
			}
		}
		return null;
	}

	private static @Nullable String mounts(@Nullable JsonNode value) {
		if (Values.absent(value)) {
			return null;
		}
		for (JsonNode mount : value) {
			String type = Values.text(mount.get("Type"));
			switch (type) {
				case "volume" -> {
					String source = Values.text(mount.get("Source"));
					if (!source.isEmpty() && !VOLUME_NAME.matcher(source).matches()) {
						return "host paths cannot be mounted into containers (mount source " + source
								+ "); use a mount of type bind, which becomes storage of the tenant's own";
					}
					JsonNode options = mount.get("VolumeOptions");
					JsonNode driver = Values.absent(options) ? null : options.get("DriverConfig");
					if (!Values.absent(driver) && (!oneOf(driver.get("Name"), "", "local") || !Values.zero(driver.get("Options")))) {
						return "volume driver options in mounts can reach host paths and are not allowed";
					}
					if (!Values.zero(mount.get("BindOptions"))) {
						return "bind options are not allowed";
					}
				}
				case "bind" -> {
					String refusal = HostPaths.refusal(Values.text(mount.get("Source")),
							"mount source " + Values.text(mount.get("Source")));
					if (refusal != null) {
						return refusal;
					}
					if (!Values.zero(mount.get("VolumeOptions"))) {
						return "volume options on a mount of type bind are not allowed";
					}
				}
				case "tmpfs" -> {
					if (!Values.zero(mount.get("Source"))) {
						return "tmpfs mounts take no source";
					}
				}
				default -> {
					return "mounts of type '" + type + "' are not allowed: use a named volume, a bind (which becomes"
							+ " storage of the tenant's own) or tmpfs";
				}
			}
		}
		return null;
	}

	private static @Nullable String logConfig(@Nullable JsonNode value) {
		if (Values.absent(value)) {
			return null;
		}
		String driver = Values.text(value.get("Type"));
		if (!LOG_DRIVERS.contains(driver)) {
			return "the log driver " + driver + " is not allowed (json-file, local and none are)";
		}
		JsonNode options = value.get("Config");
		if (!Values.absent(options) && options.isObject()) {
			for (String option : options.propertyNames()) {
				if (!LOG_OPTIONS.contains(option)) {
					return "the log option " + option + " is not allowed";
				}
			}
		}
		return null;
	}

}
