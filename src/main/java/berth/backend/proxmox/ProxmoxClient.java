package berth.backend.proxmox;

import java.io.File;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;

import javax.net.ssl.SSLException;

import io.netty.channel.ChannelOption;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;
import reactor.util.retry.Retry;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import berth.backend.proxmox.ProxmoxException.Kind;

/**
 * The dozen Proxmox VE calls Berth needs, on Spring's reactive WebClient: the token header, the
 * {@code {"data": ...}} envelope, one error mapping ({@link ProxmoxException} by kind), lock timeouts
 * retried with backoff and jitter, tasks polled on the node their UPID names until they end, and the
 * exit status checked. TLS is verified against the configured CA. The token is sent, never logged.
 */
final class ProxmoxClient {

	private static final Logger log = LoggerFactory.getLogger(ProxmoxClient.class);

	/** Proxmox puts a handler's error in the reason phrase, which Spring's client does not expose. */
	private static final String REASON = "X-Berth-Proxmox-Reason";

	/**
	 * How patient the client is.
	 *
	 * @param poll between two polls of a task or of the guest agent
	 * @param lockBackoff the first wait after a lock timeout; it doubles, with jitter, up to 16 times it
	 * @param lockRetries how many times a locked call is tried again
	 * @param requestTimeout one call's answer (a guest agent call can take ~3 s)
	 */
	record Timing(Duration poll, Duration lockBackoff, int lockRetries, Duration requestTimeout) {

		static final Timing PRODUCTION = new Timing(Duration.ofMillis(500), Duration.ofSeconds(1), 6,
				Duration.ofSeconds(30));

	}

	record Node(String name, boolean online, long mem, long maxmem) {

		long free() {
			return maxmem - mem;
		}

	}

	record Vm(int vmid, String name, String node, String status, boolean template, Set<String> tags,
			@Nullable String lock) {
	}

	private final WebClient web;

	private final JsonMapper json;

	private final Timing timing;

	private final ProxmoxErrors errors;

	/**
	 * Its own connections and event loop: the wakes in progress go on until the waker has stopped them
	 * at shutdown, whatever order the application's shared resources are disposed in.
	 */
	private final ConnectionProvider connections = ConnectionProvider.builder("proxmox")
		.maxConnections(64)
		.maxIdleTime(Duration.ofSeconds(20))
		.build();

	private final LoopResources loops = LoopResources.create("proxmox", 1, true);

	ProxmoxClient(ProxmoxProperties properties, Timing timing, JsonMapper json, ProxmoxErrors errors) {
		this.json = json;
		this.timing = timing;
		this.errors = errors;
		HttpClient http = HttpClient.create(connections)
			.runOn(loops)
			.secure(spec -> spec.sslContext(trusting(properties.caCertificate())))
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
			.responseTimeout(timing.requestTimeout())
			.doOnResponse((response, connection) -> response.responseHeaders()
				.set(REASON, response.status().reasonPhrase()));
		this.web = WebClient.builder()
			.baseUrl(properties.url().replaceAll("/+$", ""))
			.clientConnector(new ReactorClientHttpConnector(http))
			.defaultHeader(HttpHeaders.AUTHORIZATION, "PVEAPIToken=" + properties.token())
			.codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(4 << 20))
			.build();
	}

	private static SslContext trusting(String caCertificate) {
		if (caCertificate.isBlank()) {
			throw new IllegalStateException("berth.backend.proxmox.ca-certificate is required: Berth verifies "
					+ "Proxmox's certificate against the CA that signed it, and never trusts all");
		}
		try {
			return SslContextBuilder.forClient().trustManager(new File(caCertificate)).build();
		}
		catch (SSLException | IllegalArgumentException e) {
			throw new IllegalStateException("berth.backend.proxmox.ca-certificate: cannot read " + caCertificate
					+ ": " + e.getMessage(), e);
		}
	}

	void close() {
		connections.dispose();
		loops.dispose();
	}

	Mono<List<Node>> nodes() {
		return get("/nodes").map(data -> {
			List<Node> nodes = new ArrayList<>();
			for (JsonNode n : data) {
				nodes.add(new Node(n.path("node").asString(""), "online".equals(n.path("status").asString("")),
						n.path("mem").asLong(0), n.path("maxmem").asLong(0)));
			}
			return nodes;
		});
	}

	Mono<List<Vm>> vms() {
		return get("/cluster/resources?type=vm").map(data -> {
			List<Vm> vms = new ArrayList<>();
			for (JsonNode v : data) {
				if (!v.has("vmid")) {
					continue;
				}
				Set<String> tags = new LinkedHashSet<>();
				for (String tag : v.path("tags").asString("").split("[;, ]")) {
					if (!tag.isBlank()) {
						tags.add(tag.trim());
					}
				}
				vms.add(new Vm(v.path("vmid").asInt(), v.path("name").asString(""), v.path("node").asString(""),
						v.path("status").asString(""), v.path("template").asInt(0) == 1, tags,
						v.hasNonNull("lock") ? v.path("lock").asString() : null));
			}
			return vms;
		});
	}

	/** A linked clone of a template; the UPID names the template's node and VMID. */
	Mono<Upid> cloneVm(String templateNode, int template, int newId, String name, @Nullable String target) {
		MultiValueMap<String, String> form = form("newid", String.valueOf(newId), "name", name, "full", "0");
		if (target != null && !target.equals(templateNode)) {
			form.add("target", target);
		}
		return task(HttpMethod.POST, vm(templateNode, template) + "/clone", form);
	}

	/** Synchronous config change (PUT): tags, size, cloud-init. */
	Mono<Void> configure(String node, int vmid, Map<String, String> settings) {
		MultiValueMap<String, String> form = new LinkedMultiValueMap<>();
		settings.forEach(form::add);
		return call(HttpMethod.PUT, vm(node, vmid) + "/config", form).then();
	}

	Mono<JsonNode> config(String node, int vmid) {
		return get(vm(node, vmid) + "/config");
	}

	Mono<Void> resize(String node, int vmid, String disk, String size) {
		return call(HttpMethod.PUT, vm(node, vmid) + "/resize", form("disk", disk, "size", size)).then();
	}

	Mono<Upid> start(String node, int vmid) {
		return task(HttpMethod.POST, vm(node, vmid) + "/status/start", form());
	}

	Mono<Upid> shutdown(String node, int vmid) {
		return task(HttpMethod.POST, vm(node, vmid) + "/status/shutdown", form("timeout", "60", "forceStop", "1"));
	}

	Mono<Upid> destroy(String node, int vmid) {
		return task(HttpMethod.DELETE, vm(node, vmid) + "?purge=1&destroy-unreferenced-disks=1", null);
	}

	/** {@code running} or {@code stopped}. */
	Mono<String> status(String node, int vmid) {
		return get(vm(node, vmid) + "/status/current").map(data -> data.path("status").asString(""));
	}

	/**
	 * Waits for a task to end, polling it on the node its UPID names; fails with
	 * {@link Kind#TASK_FAILED} (or the kind its exit status tells, e.g. a lock timeout) unless it ended
	 * OK. A poll right after the task was made may answer 400 (not visible yet): it is tried again.
	 */
	Mono<Void> await(Upid upid) {
		String path = "/nodes/" + upid.node() + "/tasks/" + upid.text() + "/status";
		Mono<JsonNode> poll = get(path).onErrorResume(
				e -> e instanceof ProxmoxException p && p.kind() == Kind.PARAMETER,
				e -> Mono.just(json.createObjectNode().put("status", "running")));
		return poll.flatMap(status -> "stopped".equals(status.path("status").asString(""))
				? Mono.just(status) : Mono.delay(timing.poll()).then(Mono.empty()))
			.repeatWhenEmpty(Integer.MAX_VALUE, repeats -> repeats)
			.flatMap(status -> {
				String exit = status.path("exitstatus").asString("");
				if ("OK".equals(exit)) {
					return Mono.<Void>empty();
				}
				errors.count(ProxmoxException.classify(exit, Kind.TASK_FAILED));
				return Mono.error(new ProxmoxException(ProxmoxException.classify(exit, Kind.TASK_FAILED),
						"task " + upid.type() + " on " + upid.node() + " failed: " + exit));
			});
	}

	/**
	 * The VM's IPv4 address as its guest agent reports it on the interface whose MAC is net0's, retried
	 * while the agent is not running yet (the first seconds after a start) or answers with only
	 * loopback and link-local addresses.
	 */
	Mono<String> agentAddress(String node, int vmid) {
		return config(node, vmid).map(config -> mac(config.path("net0").asString("")))
			.flatMap(mac -> get(vm(node, vmid) + "/agent/network-get-interfaces")
				.map(data -> address(data.path("result"), mac))
				.onErrorResume(ProxmoxClient::booting, e -> Mono.just(""))
				.flatMap(address -> address.isEmpty() ? Mono.delay(timing.poll()).then(Mono.<String>empty())
						: Mono.just(address))
				.repeatWhenEmpty(Integer.MAX_VALUE, repeats -> repeats));
	}

	private static boolean booting(Throwable error) {
		if (!(error instanceof ProxmoxException p)) {
			return false;
		}
		return p.kind() == Kind.AGENT_NOT_READY
				|| p.kind() == Kind.HANDLER && p.getMessage() != null && p.getMessage().endsWith("is not running");
	}

	static String mac(String net0) {
		for (String part : net0.split(",")) {
			String[] kv = part.split("=", 2);
			if (kv.length == 2 && kv[1].matches("(?i)[0-9a-f]{2}(:[0-9a-f]{2}){5}")) {
				return kv[1].toLowerCase(Locale.ROOT);
			}
		}
		throw new ProxmoxException(Kind.PROTOCOL, "no MAC address in net0 '" + net0 + "'");
	}

	/** Empty when the interface has no usable address yet. */
	static String address(JsonNode interfaces, String mac) {
		for (JsonNode iface : interfaces) {
			if (!mac.equalsIgnoreCase(iface.path("hardware-address").asString(""))) {
				continue;
			}
			for (JsonNode ip : iface.path("ip-addresses")) {
				String address = ip.path("ip-address").asString("");
				if ("ipv4".equals(ip.path("ip-address-type").asString("")) && usable(address)) {
					return address;
				}
			}
		}
		return "";
	}

	private static boolean usable(String address) {
		try {
			InetAddress a = InetAddress.getByName(address);
			return !a.isLoopbackAddress() && !a.isLinkLocalAddress() && !a.isAnyLocalAddress()
					&& !address.startsWith("172.17.");
		}
		catch (UnknownHostException e) {
			return false;
		}
	}

	private Mono<Upid> task(HttpMethod method, String path, @Nullable MultiValueMap<String, String> form) {
		return call(method, path, form).map(data -> Upid.parse(data.asString("")));
	}

	private Mono<JsonNode> get(String path) {
		return call(HttpMethod.GET, path, null);
	}

	/** One call with the envelope unwrapped, errors mapped, and lock timeouts retried. */
	private Mono<JsonNode> call(HttpMethod method, String path, @Nullable MultiValueMap<String, String> form) {
		return Mono.defer(() -> {
			WebClient.RequestBodySpec request = web.method(method).uri(path);
			if (form != null) {
				request.contentType(MediaType.APPLICATION_FORM_URLENCODED).body(BodyInserters.fromFormData(form));
			}
			return request.exchangeToMono(response -> read(method, path, response));
		})
			.onErrorMap(WebClientRequestException.class,
					e -> new ProxmoxException(Kind.UNAVAILABLE, "Proxmox did not answer " + method + " " + path(path)
							+ ": " + e.getMostSpecificCause().getMessage(), e))
			.onErrorMap(TimeoutException.class,
					e -> new ProxmoxException(Kind.UNAVAILABLE, "Proxmox did not answer " + method + " " + path(path)
							+ " in time", e))
			.doOnError(ProxmoxException.class, e -> {
				errors.count(e.kind());
				log.debug("proxmox {} {}: {} {}", method, path(path), e.kind(), e.getMessage());
			})
			.retryWhen(Retry.backoff(timing.lockRetries(), timing.lockBackoff())
				.maxBackoff(timing.lockBackoff().multipliedBy(16))
				.jitter(0.5)
				.filter(e -> e instanceof ProxmoxException p && p.kind() == Kind.LOCKED)
				.doBeforeRetry(signal -> log.info("proxmox {} {}: {}; retrying", method, path(path),
						signal.failure().getMessage()))
				.onRetryExhaustedThrow((spec, signal) -> signal.failure()));
	}

	private Mono<JsonNode> read(HttpMethod method, String path, ClientResponse response) {
		int status = response.statusCode().value();
		return response.bodyToMono(String.class).defaultIfEmpty("").map(body -> {
			JsonNode tree = parse(body);
			if (status >= 200 && status < 300) {
				if (tree == null || !tree.has("data")) {
					throw new ProxmoxException(Kind.PROTOCOL, "Proxmox answered " + method + " " + path(path)
							+ " without a data envelope");
				}
				return tree.path("data");
			}
			throw error(method, path, status, response.headers().asHttpHeaders().getFirst(REASON), tree);
		});
	}

	private ProxmoxException error(HttpMethod method, String path, int status, @Nullable String reason,
			@Nullable JsonNode body) {
		String message = reason == null ? "" : reason;
		if (body != null && body.hasNonNull("message") && !body.path("message").asString("").isBlank()) {
			message = body.path("message").asString().trim();
		}
		String where = method + " " + path(path);
		return switch (status) {
			case 401 -> new ProxmoxException(Kind.AUTH, "Proxmox refused the API token (" + where + ")");
			case 403 -> new ProxmoxException(Kind.PERMISSION, "the API token may not " + where + ": " + message);
			case 400 -> new ProxmoxException(Kind.PARAMETER, where + ": " + message
					+ (body != null && body.has("errors") ? " " + body.path("errors") : ""));
			case 502, 503, 504 -> new ProxmoxException(Kind.UNAVAILABLE, where + ": " + status + " " + message);
			default -> new ProxmoxException(ProxmoxException.classify(message, Kind.HANDLER), message.isBlank()
					? where + ": " + status : message);
		};
	}

	private @Nullable JsonNode parse(String body) {
		if (body.isBlank()) {
			return null;
		}
		try {
			return json.readTree(body);
		}
		catch (RuntimeException e) {
			return null;
		}
	}

	private static String vm(String node, int vmid) {
		return "/nodes/" + node + "/qemu/" + vmid;
	}

	private static String path(String path) {
		int query = path.indexOf('?');
		return query < 0 ? path : path.substring(0, query);
	}

	private static MultiValueMap<String, String> form(String... pairs) {
		MultiValueMap<String, String> form = new LinkedMultiValueMap<>();
		for (int i = 0; i < pairs.length; i += 2) {
			form.add(pairs[i], pairs[i + 1]);
		}
		return form;
	}

}
