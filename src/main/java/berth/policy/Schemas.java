package berth.policy;

import static berth.policy.Schema.MAP;
import static berth.policy.Schema.VALUE;

/** The Docker API structs Berth reads bodies of (API 1.41 and the fields newer clients add). */
final class Schemas {

	private Schemas() {
	}

	static final Schema RESTART_POLICY = Schema.of("RestartPolicy", "Name", "MaximumRetryCount");

	static final Schema LOG_CONFIG = Schema.of("LogConfig", "Type").field("Config", MAP);

	static final Schema PORT_BINDING = Schema.of("PortBinding", "HostIp", "HostPort");

	static final Schema DRIVER_CONFIG = Schema.of("DriverConfig", "Name").field("Options", MAP);

	static final Schema VOLUME_OPTIONS = Schema.of("VolumeOptions", "NoCopy", "Subpath")
		.field("Labels", MAP)
		.field("DriverConfig", DRIVER_CONFIG);

	static final Schema TMPFS_OPTIONS = Schema.of("TmpfsOptions", "SizeBytes", "Mode", "Options");

	static final Schema MOUNT = Schema.of("Mount", "Type", "Source", "Target", "ReadOnly", "Consistency",
			"BindOptions", "ImageOptions", "ClusterOptions")
		.field("VolumeOptions", VOLUME_OPTIONS)
		.field("TmpfsOptions", TMPFS_OPTIONS);

	static final Schema ULIMIT = Schema.of("Ulimit", "Name", "Soft", "Hard");

	/** The resource limits shared by create and update. */
	static final Schema RESOURCES = Schema.of("Resources", "CpuShares", "Memory", "NanoCpus", "CgroupParent",
			"BlkioWeight", "BlkioWeightDevice", "BlkioDeviceReadBps", "BlkioDeviceWriteBps", "BlkioDeviceReadIOps",
			"BlkioDeviceWriteIOps", "CpuPeriod", "CpuQuota", "CpuRealtimePeriod", "CpuRealtimeRuntime", "CpusetCpus",
			"CpusetMems", "Devices", "DeviceCgroupRules", "DeviceRequests", "KernelMemory", "KernelMemoryTCP",
			"MemoryReservation", "MemorySwap", "MemorySwappiness", "OomKillDisable", "PidsLimit", "CpuCount",
			"CpuPercent", "IOMaximumIOps", "IOMaximumBandwidth")
		.field("Ulimits", new Schema.ListOf(new Schema.Nested(ULIMIT)));

	static final Schema HOST_CONFIG = RESOURCES.with("HostConfig",
			Schema.of("HostConfig", "Binds", "ContainerIDFile", "NetworkMode", "AutoRemove", "VolumeDriver",
					"VolumesFrom", "ConsoleSize", "CapAdd", "CapDrop", "CgroupnsMode", "Dns", "DnsOptions", "DnsSearch",
					"ExtraHosts", "GroupAdd", "IpcMode", "Cgroup", "Links", "OomScoreAdj", "PidMode", "Privileged",
					"PublishAllPorts", "ReadonlyRootfs", "SecurityOpt", "UTSMode", "UsernsMode", "ShmSize", "Runtime",
					"Isolation", "MaskedPaths", "ReadonlyPaths", "Init")
				.field("LogConfig", LOG_CONFIG)
				.field("PortBindings", new Schema.MapOf(new Schema.ListOf(new Schema.Nested(PORT_BINDING))))
				.field("RestartPolicy", RESTART_POLICY)
				.field("Mounts", new Schema.ListOf(new Schema.Nested(MOUNT)))
				.field("StorageOpt", MAP)
				.field("Tmpfs", MAP)
				.field("Sysctls", MAP)
				.field("Annotations", MAP)
				// docker-java sends them; the engine reads neither
				.unread("DiskQuota", "LxcConf"));

	static final Schema ENDPOINT_IPAM = Schema.of("EndpointIPAMConfig", "IPv4Address", "IPv6Address", "LinkLocalIPs");

	static final Schema ENDPOINT_SETTINGS = Schema
		.of("EndpointSettings", "Links", "Aliases", "MacAddress", "GwPriority", "NetworkID", "EndpointID", "Gateway",
				"IPAddress", "IPPrefixLen", "IPv6Gateway", "GlobalIPv6Address", "GlobalIPv6PrefixLen", "DNSNames")
		.field("IPAMConfig", ENDPOINT_IPAM)
		.field("DriverOpts", MAP);

	/**
	 * Network keys with null settings beside {@code EndpointsConfig} are what docker-py sends for
	 * {@code network=}: the engine ignores them, {@link ContainerRules} checks and drops them.
	 */
	static final Schema NETWORKING_CONFIG = Schema.of("NetworkingConfig")
		.field("EndpointsConfig", new Schema.MapOf(new Schema.Nested(ENDPOINT_SETTINGS)))
		.withNullExtras();

	static final Schema HEALTHCHECK = Schema.of("Healthcheck", "Test", "Interval", "Timeout", "StartPeriod",
			"StartInterval", "Retries");

	/** An image's or a container's Config (commit takes one as its body). */
	static final Schema CONFIG = Schema
		.of("Config", "Hostname", "Domainname", "User", "AttachStdin", "AttachStdout", "AttachStderr", "Tty",
				"OpenStdin", "StdinOnce", "Env", "Cmd", "ArgsEscaped", "Image", "WorkingDir", "Entrypoint",
				"NetworkDisabled", "MacAddress", "OnBuild", "StopSignal", "StopTimeout", "Shell")
		.field("ExposedPorts", MAP)
		.field("Volumes", MAP)
		.field("Labels", MAP)
		.field("Healthcheck", HEALTHCHECK);

	/** docker-java sends {@code PortSpecs}, which the engine has not read since API 1.19. */
	static final Schema CONTAINER_CREATE = CONFIG.with("ContainerCreate",
			Schema.of("ContainerCreate")
				.unread("PortSpecs")
				.field("HostConfig", HOST_CONFIG)
				.field("NetworkingConfig", NETWORKING_CONFIG));

	static final Schema CONTAINER_UPDATE = RESOURCES.with("ContainerUpdate",
			Schema.of("ContainerUpdate").field("RestartPolicy", RESTART_POLICY));

	/**
	 * {@code Container} (docker-py) and {@code containerId} (docker-java) repeat the path; the engine
	 * ignores them, {@link ContainerRules} checks and drops them.
	 */
	static final Schema EXEC_CREATE = Schema.of("ExecConfig", "Container", "ContainerId", "AttachStdin", "AttachStdout", "AttachStderr",
			"ConsoleSize", "Detach", "DetachKeys", "Tty", "Env", "Cmd", "Privileged", "User", "WorkingDir");

	static final Schema EXEC_START = Schema.of("ExecStartConfig", "Detach", "Tty", "ConsoleSize");

	/** A login's credentials (Go's {@code registry.AuthConfig}, whose JSON keys are lower case). */
	static final Schema AUTH_CONFIG = Schema.of("AuthConfig", "username", "password", "auth", "email",
			"serveraddress", "identitytoken", "registrytoken");

	static final Schema VOLUME_CREATE = Schema.of("VolumeCreate", "Name", "Driver", "ClusterVolumeSpec")
		.field("DriverOpts", MAP)
		.field("Labels", MAP);

	static final Schema IPAM_POOL = Schema.of("IPAMConfig", "Subnet", "IPRange", "Gateway")
		.field("AuxiliaryAddresses", MAP);

	static final Schema IPAM = Schema.of("IPAM", "Driver")
		.field("Config", new Schema.ListOf(new Schema.Nested(IPAM_POOL)))
		.field("Options", MAP);

	static final Schema NETWORK_CREATE = Schema
		.of("NetworkCreate", "Name", "CheckDuplicate", "Driver", "Scope", "Internal", "Attachable", "Ingress",
				"ConfigOnly", "ConfigFrom", "EnableIPv4", "EnableIPv6")
		.field("IPAM", IPAM)
		.field("Options", MAP)
		.field("Labels", MAP);

	static final Schema NETWORK_CONNECT = Schema.of("NetworkConnect", "Container")
		.field("EndpointConfig", ENDPOINT_SETTINGS);

	static final Schema NETWORK_DISCONNECT = Schema.of("NetworkDisconnect", "Container", "Force");


}
