package berth.backend.proxmox;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.netty.handler.codec.http.HttpResponseStatus;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import berth.testing.TestPki;

/**
 * A Proxmox VE API for tests, after {@code proxmox-api.md} and {@code vm-backend.md}: HTTPS on
 * loopback with a certificate of a test CA, API token auth with the delay on a bad token, the
 * {@code {"data":...}} envelope, errors in the reason phrase, UPID tasks that end after delays and are
 * invisible for their first instants, clone locks, a VMID taken by a racing caller, a guest agent that
 * fails while the VM boots and then lists loopback, link-local and docker bridge addresses, and lock
 * timeouts it is told to inject. What a VM runs is {@link Machines}' business: nothing, or a network
 * namespace with a dockerd of its own.
 *
 * <p>Every call that changes something is written to {@link #log()}, e.g. {@code clone 9000 10042 pve1}.
 */
public final class ProxmoxSimulator implements AutoCloseable {

	/** What runs inside the simulated VMs. */
	public interface Machines {

		/**
		 * The VM was started: boot its machine and answer its address (the static one cloud-init was given,
		 * if any).
		 */
		Mono<String> boot(int vmid, @Nullable String staticAddress);

		Mono<Void> halt(int vmid);

		/** No machine at all: the agent reports 10.213.x.y addresses. */
		Machines NONE = new Machines() {

			private final AtomicInteger next = new AtomicInteger();

			@Override
			public Mono<String> boot(int vmid, @Nullable String staticAddress) {
				int n = next.incrementAndGet();
				return Mono.just(staticAddress != null ? staticAddress : "10.213." + (n / 250) + "." + (n % 250 + 2));
			}

			@Override
			public Mono<Void> halt(int vmid) {
				return Mono.empty();
			}
		};

	}

	/** One simulated VM or template. */
	static final class Vm {

		final int vmid;

		volatile String node;

		final boolean template;

		volatile String status = "stopped";

		volatile @Nullable String lock;

		final Map<String, String> config = new ConcurrentHashMap<>();

		volatile @Nullable String address;

		volatile long agentUpAt = Long.MAX_VALUE;

		volatile boolean agentAnswered;

		Vm(int vmid, String node, boolean template) {
			this.vmid = vmid;
			this.node = node;
			this.template = template;
		}

	}

	private record Node(String name, long maxmem, long baseMem, boolean online) {
	}

	private static final class Task {

		final String upid;

		final String node;

		final String type;

		final String id;

		final long visibleAt = System.nanoTime() + 100_000_000L;

		volatile String status = "running";

		volatile String exitstatus = "";

		Task(String upid, String node, String type, String id) {
			this.upid = upid;
			this.node = node;
			this.type = type;
			this.id = id;
		}

	}

	private static final Pattern VM_PATH = Pattern.compile("/nodes/([^/]+)/qemu/(\\d+)(/.*)?");

	private static final Pattern TASK_PATH = Pattern.compile("/nodes/([^/]+)/tasks/([^/]+)/status");

	private final JsonMapper json = JsonMapper.builder().build();

	private final JsonNodeFactory nodes = JsonNodeFactory.instance;

	private final TestPki.Issued certificate;

	private final String token;

	private final Machines machines;

	private final Map<String, Node> cluster = new ConcurrentHashMap<>();

	private final Map<Integer, Vm> vms = new ConcurrentHashMap<>();

	private final Map<String, Task> tasks = new ConcurrentHashMap<>();

	private final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();

	private final Map<String, String> failureMessages = new ConcurrentHashMap<>();

	private final AtomicInteger clonesRaced = new AtomicInteger();

	private final List<String> log = new CopyOnWriteArrayList<>();

	/** The online node with most free memory when each VMID's clone was asked for. */
	private final Map<Integer, String> roomiestWhenCloned = new java.util.concurrent.ConcurrentHashMap<>();

	private final AtomicInteger pids = new AtomicInteger(0x35D677);

	private volatile @Nullable DisposableServer server;

	private volatile reactor.netty.resources.@Nullable LoopResources loops;

	private volatile int port;

	volatile Duration authDelay = Duration.ofSeconds(3);

	volatile Duration cloneDelay = Duration.ofMillis(300);

	volatile Duration startDelay = Duration.ofMillis(200);

	volatile Duration stopDelay = Duration.ofMillis(200);

	/** From the machine's boot until its guest agent answers. */
	volatile Duration agentDelay = Duration.ofMillis(300);

	/** How long an agent call takes to fail while the agent is not running (~3 s on a real server). */
	volatile Duration agentErrorDelay = Duration.ofMillis(200);

	/** Newer servers repeat a handler's error as {@code "message"} in the body. */
	volatile boolean messageInBody;

	public ProxmoxSimulator(TestPki pki, String token, Machines machines) {
		this.certificate = pki.server("pve", "localhost", "127.0.0.1");
		this.token = token;
		this.machines = machines;
	}

	public ProxmoxSimulator node(String name, long maxmemGiB, long usedGiB, boolean online) {
		cluster.put(name, new Node(name, maxmemGiB << 30, usedGiB << 30, online));
		return this;
	}

	/** A template with the guest agent enabled; {@code shared} storage lets it be cloned to other nodes. */
	public ProxmoxSimulator template(int vmid, String node, boolean shared) {
		Vm template = new Vm(vmid, node, true);
		template.config.putAll(Map.of("name", "debian-docker", "cores", "1", "memory", "1024", "agent", "1",
				"net0", "virtio=BC:24:11:00:00:01,bridge=vmbr0", "scsi0",
				(shared ? "ceph" : "local-lvm") + ":base-" + vmid + "-disk-0,size=8G", "template", "1"));
		vms.put(vmid, template);
		return this;
	}

	public synchronized ProxmoxSimulator start() {
		reactor.netty.resources.LoopResources loops = reactor.netty.resources.LoopResources.create("pve-sim", 2, true);
		this.loops = loops;
		DisposableServer running = HttpServer.create()
			// loops of its own: another Berth in the test's JVM disposes the global ones when it stops
			.runOn(loops)
			.host("127.0.0.1")
			.port(port)
			.secure(spec -> spec.sslContext(Http11SslContextSpec
				.forServer(certificate.certificateFile().toFile(), certificate.keyFile().toFile())))
			.handle(this::handle)
			.bindNow();
		port = running.port();
		server = running;
		return this;
	}

	/** Proxmox goes away: connections are refused until {@link #start()}. */
	public synchronized void stop() {
		DisposableServer running = server;
		if (running != null) {
			running.disposeNow();
			server = null;
		}
		// the connections clients keep alive end with the loops
		reactor.netty.resources.LoopResources current = loops;
		if (current != null) {
			current.disposeLater().block(Duration.ofSeconds(5));
			loops = null;
		}
	}

	@Override
	public void close() {
		stop();
	}

	public String url() {
		return "https://127.0.0.1:" + port + "/api2/json";
	}

	public List<String> log() {
		return List.copyOf(log);
	}

	public long count(String operation) {
		return log.stream().filter(line -> line.startsWith(operation + " ")).count();
	}

	public @Nullable Vm vm(int vmid) {
		return vms.get(vmid);
	}

	/** The online node with the most free memory, as {@code GET /nodes} tells it now. */
	public String roomiestNode() {
		return nodeList().stream()
			.filter(n -> "online".equals(n.get("status")))
			.max(java.util.Comparator.comparingLong(n -> (long) n.get("maxmem") - (long) n.get("mem")))
			.map(n -> (String) n.get("node"))
			.orElseThrow();
	}

	/**
	 * The online node with most free memory at the moment the clone to {@code vmid} was asked for
	 * (other VMs stopping or being destroyed meanwhile change which node that is later).
	 */
	public String roomiestWhenCloned(int vmid) {
		return roomiestWhenCloned.get(vmid);
	}

	public List<Vm> vms() {
		return List.copyOf(vms.values());
	}

	/**
	 * The next {@code times} calls of an operation ({@code clone}, {@code config}, {@code start},
	 * {@code agent}, {@code resources}, ...) fail with a 500 and this message.
	 */
	public void failNext(String operation, int times, String message) {
		failureMessages.put(operation, message);
		failures.computeIfAbsent(operation, o -> new AtomicInteger()).set(times);
	}

	/** The next clones find their new VMID taken by another caller an instant before. */
	public void raceNextClones(int times) {
		clonesRaced.set(times);
	}

	/** A VM made by someone else than Berth. */
	public Vm foreignVm(int vmid, String node, String name, String tags) {
		Vm vm = new Vm(vmid, node, false);
		vm.config.putAll(Map.of("name", name, "tags", tags, "net0", "virtio=" + mac() + ",bridge=vmbr0", "memory",
				"512", "cores", "1"));
		vms.put(vmid, vm);
		return vm;
	}

	private Publisher<Void> handle(HttpServerRequest request, HttpServerResponse response) {
		String uri = request.uri();
		String path = uri.startsWith("/api2/json") ? uri.substring("/api2/json".length()) : uri;
		int q = path.indexOf('?');
		Map<String, String> params = new LinkedHashMap<>();
		if (q >= 0) {
			parse(path.substring(q + 1), params);
			path = path.substring(0, q);
		}
		String finalPath = URLDecoder.decode(path, StandardCharsets.UTF_8);
		String method = request.method().name();
		String auth = request.requestHeaders().get("Authorization", "");
		boolean authorized = auth.equals("PVEAPIToken=" + token)
				|| auth.equals("PVEAPIToken=" + token.replaceFirst("=", " "));
		return request.receive().aggregate().asString(StandardCharsets.UTF_8).defaultIfEmpty("").flatMap(body -> {
			if (!authorized) {
				return Mono.delay(authDelay)
					.then(response.status(new HttpResponseStatus(401, "authentication failure"))
						.sendString(Mono.just("{\"data\":null}"))
						.then());
			}
			parse(body, params);
			Mono<Answer> answer;
			try {
				answer = route(method, finalPath, params);
			}
			catch (Failure failure) {
				answer = Mono.just(failure.answer);
			}
			return answer.onErrorResume(Failure.class, f -> Mono.just(f.answer)).flatMap(a -> send(response, a));
		});
	}

	private record Answer(int status, String reason, JsonNode body) {
	}

	private static final class Failure extends RuntimeException {

		final Answer answer;

		Failure(Answer answer) {
			super(answer.reason(), null, false, false);
			this.answer = answer;
		}

	}

	private Mono<Void> send(HttpServerResponse response, Answer answer) {
		return response.status(new HttpResponseStatus(answer.status(), answer.reason()))
			.header("Content-Type", "application/json;charset=UTF-8")
			.sendString(Mono.just(json.writeValueAsString(answer.body())))
			.then();
	}

	private Answer ok(@Nullable Object data) {
		ObjectNode body = nodes.objectNode();
		body.set("data", data == null ? nodes.nullNode() : json.valueToTree(data));
		return new Answer(200, "OK", body);
	}

	private Failure handlerError(String message) {
		ObjectNode body = nodes.objectNode();
		body.putNull("data");
		if (messageInBody) {
			body.put("message", message + "\n");
		}
		return new Failure(new Answer(500, message, body));
	}

	private Failure parameterError(String parameter, String message) {
		ObjectNode body = nodes.objectNode();
		body.putNull("data");
		body.putObject("errors").put(parameter, message);
		return new Failure(new Answer(400, "Parameter verification failed.", body));
	}

	private void injected(String operation) {
		AtomicInteger left = failures.get(operation);
		if (left != null && left.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
			throw handlerError(failureMessages.get(operation));
		}
	}

	private Mono<Answer> route(String method, String path, Map<String, String> params) {
		if (method.equals("GET") && path.equals("/nodes")) {
			injected("nodes");
			return Mono.just(ok(nodeList()));
		}
		if (method.equals("GET") && path.equals("/cluster/resources")) {
			injected("resources");
			return Mono.just(ok(resources()));
		}
		if (method.equals("GET") && path.equals("/cluster/nextid")) {
			int id = 100;
			while (vms.containsKey(id)) {
				id++;
			}
			return Mono.just(ok(String.valueOf(id)));
		}
		Matcher task = TASK_PATH.matcher(path);
		if (method.equals("GET") && task.matches()) {
			return Mono.just(taskStatus(task.group(1), task.group(2)));
		}
		Matcher vm = VM_PATH.matcher(path);
		if (!vm.matches()) {
			throw new Failure(new Answer(501, "Method '" + method + " " + path + "' not implemented", nodes.objectNode()
				.putNull("data")));
		}
		String node = vm.group(1);
		int vmid = Integer.parseInt(vm.group(2));
		String rest = vm.group(3) == null ? "" : vm.group(3);
		return switch (method + " " + rest) {
			case "POST /clone" -> Mono.just(cloneVm(node, vmid, params));
			case "GET /config" -> Mono.just(ok(existing(node, vmid).config));
			case "PUT /config" -> Mono.just(configure(node, vmid, params));
			case "PUT /resize" -> Mono.just(resize(node, vmid, params));
			case "POST /status/start" -> Mono.just(startVm(node, vmid));
			case "POST /status/shutdown", "POST /status/stop" -> Mono.just(stopVm(node, vmid));
			case "GET /status/current" -> Mono.just(current(node, vmid));
			case "GET /agent/network-get-interfaces" -> agent(node, vmid);
			case "DELETE " -> Mono.just(destroy(node, vmid));
			default -> throw new Failure(new Answer(501, "Method '" + method + " " + path + "' not implemented",
					nodes.objectNode().putNull("data")));
		};
	}

	private List<Map<String, Object>> nodeList() {
		List<Map<String, Object>> list = new ArrayList<>();
		for (Node n : cluster.values()) {
			long used = n.baseMem();
			for (Vm v : vms.values()) {
				if (v.node.equals(n.name()) && "running".equals(v.status)) {
					used += Long.parseLong(v.config.getOrDefault("memory", "512")) << 20;
				}
			}
			Map<String, Object> entry = new LinkedHashMap<>();
			entry.put("node", n.name());
			entry.put("status", n.online() ? "online" : "offline");
			entry.put("cpu", 0.05);
			entry.put("maxcpu", 16);
			if (n.online()) {
				entry.put("mem", used);
				entry.put("maxmem", n.maxmem());
			}
			list.add(entry);
		}
		return list;
	}

	private List<Map<String, Object>> resources() {
		List<Map<String, Object>> list = new ArrayList<>();
		for (Vm v : vms.values()) {
			Map<String, Object> entry = new LinkedHashMap<>();
			entry.put("id", "qemu/" + v.vmid);
			entry.put("type", "qemu");
			entry.put("vmid", v.vmid);
			entry.put("name", v.config.getOrDefault("name", "VM " + v.vmid));
			entry.put("node", v.node);
			entry.put("status", v.status);
			entry.put("template", v.template ? 1 : 0);
			entry.put("maxmem", Long.parseLong(v.config.getOrDefault("memory", "512")) << 20);
			entry.put("maxcpu", Integer.parseInt(v.config.getOrDefault("cores", "1")));
			String tags = v.config.get("tags");
			if (tags != null) {
				entry.put("tags", tags);
			}
			String lock = v.lock;
			if (lock != null) {
				entry.put("lock", lock);
			}
			list.add(entry);
		}
		return list;
	}

	private Vm existing(String node, int vmid) {
		Vm vm = vms.get(vmid);
		if (vm == null || !vm.node.equals(node)) {
			throw handlerError("Configuration file 'nodes/" + node + "/qemu-server/" + vmid + ".conf' does not exist");
		}
		return vm;
	}

	private Answer cloneVm(String node, int template, Map<String, String> params) {
		injected("clone");
		Vm source = existing(node, template);
		String newid = params.get("newid");
		if (newid == null || !newid.matches("\\d+")) {
			throw parameterError("newid", "property is missing and it is not optional");
		}
		int id = Integer.parseInt(newid);
		String target = params.getOrDefault("target", node);
		if (!source.template && !"1".equals(params.get("full"))) {
			throw handlerError("linked clone feature is not supported for drive 'scsi0'");
		}
		if (!target.equals(node) && !source.config.get("scsi0").startsWith("ceph")) {
			throw handlerError("can't clone VM to node '" + target + "' (VM uses local storage)");
		}
		Node targetNode = cluster.get(target);
		if (targetNode == null || !targetNode.online()) {
			throw handlerError("target node '" + target + "' is not online");
		}
		Vm clone = new Vm(id, target, false);
		synchronized (vms) {
			if (clonesRaced.getAndUpdate(n -> Math.max(0, n - 1)) > 0 && !vms.containsKey(id)) {
				foreignVm(id, target, "racer-" + id, "");
			}
			if (vms.containsKey(id)) {
				throw handlerError("unable to create VM " + id + ": config file already exists");
			}
			clone.lock = "clone";
			clone.config.putAll(source.config);
			clone.config.remove("template");
			clone.config.remove("tags");
			clone.config.put("name", params.getOrDefault("name", "Copy-of-VM-" + source.config.get("name")));
			clone.config.put("net0", "virtio=" + mac() + ",bridge=vmbr0");
			vms.put(id, clone);
		}
		roomiestWhenCloned.put(id, roomiestNode());
		log.add("clone " + template + " " + id + " " + target);
		Task t = task(node, "qmclone", String.valueOf(template));
		later(cloneDelay, () -> {
			clone.lock = null;
			t.exitstatus = "OK";
			t.status = "stopped";
		});
		return ok(t.upid);
	}

	private Answer configure(String node, int vmid, Map<String, String> params) {
		injected("config");
		Vm vm = existing(node, vmid);
		String lock = vm.lock;
		if (lock != null) {
			throw handlerError("VM is locked (" + lock + ")");
		}
		for (String key : List.of("cores", "memory")) {
			String value = params.get(key);
			if (value != null && !value.matches("\\d+")) {
				throw parameterError(key, "type check ('integer') failed - got '" + value + "'");
			}
		}
		params.forEach((key, value) -> {
			if (!key.equals("digest")) {
				vm.config.put(key, value);
			}
		});
		log.add("config " + vmid + " " + new java.util.TreeMap<>(params));
		return ok(null);
	}

	private Answer resize(String node, int vmid, Map<String, String> params) {
		Vm vm = existing(node, vmid);
		String disk = params.getOrDefault("disk", "");
		String current = vm.config.get(disk);
		if (current == null) {
			throw parameterError("disk", "no such disk '" + disk + "'");
		}
		vm.config.put(disk, current.replaceAll("size=[^,]+", "size=" + params.get("size")));
		log.add("resize " + vmid + " " + disk + " " + params.get("size"));
		return ok(null);
	}

	private Answer startVm(String node, int vmid) {
		injected("start");
		Vm vm = existing(node, vmid);
		String lock = vm.lock;
		if (lock != null) {
			throw handlerError("VM is locked (" + lock + ")");
		}
		log.add("start " + vmid);
		Task t = task(node, "qmstart", String.valueOf(vmid));
		if ("running".equals(vm.status)) {
			later(Duration.ofMillis(50), () -> {
				t.exitstatus = "VM " + vmid + " already running";
				t.status = "stopped";
			});
			return ok(t.upid);
		}
		later(startDelay, () -> {
			vm.status = "running";
			vm.agentAnswered = false;
			vm.agentUpAt = Long.MAX_VALUE;
			t.exitstatus = "OK";
			t.status = "stopped";
			String ipconfig = vm.config.get("ipconfig0");
			String statik = ipconfig != null && ipconfig.startsWith("ip=") && !ipconfig.startsWith("ip=dhcp")
					? ipconfig.substring(3).split("[/,]")[0] : null;
			machines.boot(vmid, statik).subscribe(address -> {
				vm.address = address;
				vm.agentUpAt = System.nanoTime() + agentDelay.toNanos();
			}, error -> {
				log.add("boot-failed " + vmid + " " + error);
				System.err.println("simulator: VM " + vmid + " failed to boot: " + error);
			});
		});
		return ok(t.upid);
	}

	private Answer stopVm(String node, int vmid) {
		Vm vm = existing(node, vmid);
		log.add("stop " + vmid);
		Task t = task(node, "qmshutdown", String.valueOf(vmid));
		later(stopDelay, () -> machines.halt(vmid).doFinally(signal -> {
			vm.status = "stopped";
			vm.address = null;
			vm.agentUpAt = Long.MAX_VALUE;
			t.exitstatus = "OK";
			t.status = "stopped";
		}).subscribe());
		return ok(t.upid);
	}

	private Answer current(String node, int vmid) {
		Vm vm = existing(node, vmid);
		Map<String, Object> status = new LinkedHashMap<>();
		status.put("status", vm.status);
		status.put("vmid", vmid);
		status.put("qmpstatus", vm.status);
		if (vm.lock != null) {
			status.put("lock", vm.lock);
		}
		return ok(status);
	}

	private Mono<Answer> agent(String node, int vmid) {
		Vm vm = existing(node, vmid);
		if (!"1".equals(vm.config.get("agent"))) {
			throw handlerError("No QEMU guest agent configured");
		}
		if (!"running".equals(vm.status)) {
			throw handlerError("VM " + vmid + " is not running");
		}
		injected("agent");
		String address = vm.address;
		if (address == null || System.nanoTime() < vm.agentUpAt) {
			return Mono.delay(agentErrorDelay).then(Mono.error(handlerError("QEMU guest agent is not running")));
		}
		String mac = ProxmoxClient.mac(vm.config.get("net0"));
		ArrayNode result = nodes.arrayNode();
		result.addObject()
			.put("name", "lo")
			.put("hardware-address", "00:00:00:00:00:00")
			.set("ip-addresses", nodes.arrayNode().add(ip("127.0.0.1", "ipv4", 8)).add(ip("::1", "ipv6", 128)));
		ArrayNode eth0 = nodes.arrayNode().add(ip("fe80::be24:11ff:fe00:1", "ipv6", 64));
		if (vm.agentAnswered) {
			eth0.insert(0, ip(address, "ipv4", 24));
			result.addObject()
				.put("name", "docker0")
				.put("hardware-address", "02:42:ac:11:00:01")
				.set("ip-addresses", nodes.arrayNode().add(ip("172.17.0.1", "ipv4", 16)));
		}
		result.addObject().put("name", "eth0").put("hardware-address", mac).set("ip-addresses", eth0);
		vm.agentAnswered = true;
		ObjectNode data = nodes.objectNode();
		data.set("result", result);
		return Mono.just(ok(data));
	}

	private ObjectNode ip(String address, String type, int prefix) {
		return nodes.objectNode().put("ip-address", address).put("ip-address-type", type).put("prefix", prefix);
	}

	private Answer destroy(String node, int vmid) {
		Vm vm = existing(node, vmid);
		if ("running".equals(vm.status)) {
			throw handlerError("VM " + vmid + " is running - destroy failed");
		}
		log.add("destroy " + vmid);
		Task t = task(node, "qmdestroy", String.valueOf(vmid));
		later(stopDelay, () -> {
			vms.remove(vmid);
			t.exitstatus = "OK";
			t.status = "stopped";
		});
		return ok(t.upid);
	}

	private Answer taskStatus(String node, String upid) {
		Task t = tasks.get(upid);
		if (t == null || System.nanoTime() < t.visibleAt) {
			throw parameterError("upid", "unable to parse worker upid or no such task '" + upid + "'");
		}
		if (!t.node.equals(node)) {
			throw handlerError("no such task '" + upid + "' on node '" + node + "'");
		}
		Map<String, Object> status = new LinkedHashMap<>();
		status.put("status", t.status);
		status.put("type", t.type);
		status.put("id", t.id);
		status.put("node", t.node);
		status.put("upid", t.upid);
		if ("stopped".equals(t.status)) {
			status.put("exitstatus", t.exitstatus);
		}
		return ok(status);
	}

	private Task task(String node, String type, String id) {
		String upid = String.format("UPID:%s:%08X:%08X:%08X:%s:%s:berth@pve!test:", node, pids.incrementAndGet(),
				0x03AB00C3, System.currentTimeMillis() / 1000, type, id);
		Task t = new Task(upid, node, type, id);
		tasks.put(upid, t);
		return t;
	}

	private static void later(Duration delay, Runnable action) {
		Mono.delay(delay).subscribe(tick -> action.run());
	}

	private static String mac() {
		byte[] tail = new byte[3];
		ThreadLocalRandom.current().nextBytes(tail);
		return "BC:24:11:" + HexFormat.ofDelimiter(":").withUpperCase().formatHex(tail);
	}

	private static void parse(String form, Map<String, String> into) {
		for (String pair : form.split("&")) {
			if (pair.isEmpty()) {
				continue;
			}
			int eq = pair.indexOf('=');
			String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
			String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
			into.put(key, value);
		}
	}

}
