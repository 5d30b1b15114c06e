package berth.backend.proxmox;

import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.random.RandomGenerator;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import berth.account.TenantRef;
import berth.backend.Engine;
import berth.backend.proxmox.ProxmoxException.Kind;
import berth.web.DockerApiException;

/**
 * Brings a tenant's VM to ready, exactly once however many requests ask at once.
 * <ul>
 * <li>Within a replica, the requests for one tenant share one wake (one cached Mono), removed when it
 * ends, so a failed wake is tried again by the next request.</li>
 * <li>Across replicas, a wake claims the tenant's row (a conditional update with lease and epoch, no
 * lock held across network calls) and drives the lifecycle step by step, saving the VMID, node and
 * task before each wait. A replica that does not get the claim follows the row until it is ready,
 * failed, or its holder's lease runs out (then it takes over where the holder was).</li>
 * <li>A request waits at most {@code wake-timeout}; past it, or when Proxmox fails, it gets a 503
 * with {@code Retry-After} and a message that says what is happening. The wake itself goes on.</li>
 * </ul>
 * Database calls run on the bounded elastic scheduler; nothing here blocks an event loop.
 */
final class VmWaker {

	private static final Logger log = LoggerFactory.getLogger(VmWaker.class);

	private static final Logger audit = LoggerFactory.getLogger("berth.audit");

	/** Requests that may wait for one tenant's VM at once; more are answered 503 at once. */
	static final int MAX_WAITERS = 512;

	/** Tries to find a free VMID when clones race for them. */
	private static final int CLONE_ATTEMPTS = 5;

	/** How long a wake may take in all before it is recorded as failed. */
	private static final Duration WAKE_LIMIT = Duration.ofMinutes(10);

	/** How long a VM's engine has to answer one {@code /_ping}. */
	private static final Duration PING_TIMEOUT = Duration.ofSeconds(3);

	/**
	 * Timing of the claim and of following another replica's wake.
	 *
	 * @param lease how long a claim holds without renewal; renewed every third of it while a wake runs
	 * @param follow how often a replica without the claim reads the row
	 * @param retryAfter what a 503 tells clients
	 */
	record Timing(Duration lease, Duration follow, Duration retryAfter) {

		static final Timing PRODUCTION = new Timing(Duration.ofSeconds(15), Duration.ofMillis(250),
				Duration.ofSeconds(10));

	}

	/** Another replica took the claim over (our lease ran out): stop acting, follow the row. */
	private static final class LostClaim extends RuntimeException {

		LostClaim() {
			super("the claim on the VM was taken over", null, false, false);
		}

	}

	/** What one wake holds: the row as last saved, and how it got there. */
	private final class Claim {

		final AtomicReference<TenantVm> vm;

		final VmSize size;

		volatile boolean cloned;

		Claim(TenantVm vm, VmSize size) {
			this.vm = new AtomicReference<>(vm);
			this.size = size;
		}

		TenantVm now() {
			return vm.get();
		}

		Mono<TenantVm> save(TenantVm next) {
			return blocking(() -> {
				if (!vms.save(next, owner, timing.lease())) {
					throw new LostClaim();
				}
				TenantVm before = vm.getAndSet(next);
				if (before.state() != next.state() || !java.util.Objects.equals(before.vmid(), next.vmid())) {
					audit.info("tenant={} vm: {} -> {} vmid={} node={}{}", next.tenantName(), before.state().lower(),
							next.state().lower(), next.vmid(), next.node(),
							next.lastError() == null ? "" : " error=\"" + next.lastError() + "\"");
				}
				progress.put(next.tenantId(), next.state());
				metrics.refresh();
				return next;
			});
		}

	}

	private final ProxmoxClient client;

	private final TenantVms vms;

	private final VmEngines engines;

	private final Templates templates;

	private final VmidRange vmids;

	private final Optional<AddressPool> pool;

	private final Duration wakeTimeout;

	private final Timing timing;

	private final VmMetrics metrics;

	private final String owner;

	private final RandomGenerator random = RandomGenerator.of("L64X128MixRandom");

	private final Map<java.util.UUID, Engine> ready = new ConcurrentHashMap<>();

	private final Map<java.util.UUID, Mono<Engine>> wakes = new ConcurrentHashMap<>();

	private final Map<java.util.UUID, AtomicInteger> waiting = new ConcurrentHashMap<>();

	private final Map<java.util.UUID, VmState> progress = new ConcurrentHashMap<>();

	/** Completed at shutdown: wakes in progress stop where they are; another replica resumes them. */
	private final reactor.core.publisher.Sinks.Empty<Void> closing = reactor.core.publisher.Sinks.empty();

	VmWaker(ProxmoxClient client, TenantVms vms, VmEngines engines, ProxmoxProperties properties, Timing timing,
			VmMetrics metrics, String owner) {
		this.client = client;
		this.vms = vms;
		this.engines = engines;
		this.templates = Templates.parse(properties.templates());
		this.vmids = VmidRange.parse(properties.vmidRange());
		this.pool = AddressPool.parse(properties.addressPool());
		this.wakeTimeout = properties.wakeTimeout();
		this.timing = timing;
		this.metrics = metrics;
		this.owner = owner;
	}

	/** The tenant's engine: at once when its VM is known ready, else after the one wake for it. */
	Mono<Engine> engine(TenantRef tenant, VmSize size) {
		Engine known = ready.get(tenant.id());
		if (known != null) {
			return Mono.just(known);
		}
		return Mono.defer(() -> {
			AtomicInteger queue = waiting.computeIfAbsent(tenant.id(), id -> new AtomicInteger());
			if (queue.incrementAndGet() > MAX_WAITERS) {
				queue.decrementAndGet();
				return Mono.error(new DockerApiException(HttpStatus.SERVICE_UNAVAILABLE,
						"too many requests are waiting for your VM to start; try again shortly", timing.retryAfter()));
			}
			Mono<Engine> wake = wakes.computeIfAbsent(tenant.id(), id -> wake(tenant, size));
			return wake.timeout(wakeTimeout)
				.onErrorMap(error -> answer(error, tenant.id()))
				.doFinally(signal -> queue.decrementAndGet());
		});
	}

	/** Forgets a VM engine that stopped answering, so that the next request checks the VM again. */
	void forget(java.util.UUID tenantId, Engine engine) {
		if (ready.remove(tenantId, engine)) {
			engine.dispose();
		}
	}

	Optional<Engine> known(java.util.UUID tenantId) {
		return Optional.ofNullable(ready.get(tenantId));
	}

	private Throwable answer(Throwable error, java.util.UUID tenantId) {
		if (error instanceof DockerApiException) {
			return error;
		}
		if (error instanceof java.util.concurrent.TimeoutException) {
			return new DockerApiException(HttpStatus.SERVICE_UNAVAILABLE,
					"your VM is still starting (" + progress.getOrDefault(tenantId, VmState.ABSENT).lower()
							+ " after " + wakeTimeout.toSeconds() + " s); ask again in a few seconds",
					timing.retryAfter());
		}
		String why = error instanceof ProxmoxException p ? describe(p) : error.getMessage();
		return new DockerApiException(HttpStatus.SERVICE_UNAVAILABLE, "your VM could not be started: " + why,
				timing.retryAfter());
	}

	private static String describe(ProxmoxException e) {
		return switch (e.kind()) {
			case UNAVAILABLE -> "the Proxmox cluster does not answer";
			case AUTH, PERMISSION -> "Berth's Proxmox token was refused; the operator is needed";
			case LOCKED -> "the Proxmox cluster is busy (a lock timed out)";
			default -> "Proxmox answered: " + e.getMessage();
		};
	}

	private Mono<Engine> wake(TenantRef tenant, VmSize size) {
		long begun = System.nanoTime();
		AtomicBoolean drove = new AtomicBoolean();
		AtomicReference<@Nullable Claim> driven = new AtomicReference<>();
		return Mono.defer(() -> attempt(tenant, size, drove, driven))
			.map(vm -> {
				Engine engine = engines.engine(vm);
				Engine before = ready.put(tenant.id(), engine);
				if (before != null && before != engine) {
					before.dispose();
				}
				Claim claim = driven.get();
				if (drove.get() && claim != null) {
					metrics.woke(claim.cloned ? "clone" : "start", Duration.ofNanos(System.nanoTime() - begun));
				}
				return engine;
			})
			.takeUntilOther(closing.asMono())
			.switchIfEmpty(Mono.error(() -> new DockerApiException(HttpStatus.SERVICE_UNAVAILABLE,
					"Berth is shutting down; ask again", timing.retryAfter())))
			.doFinally(signal -> wakes.remove(tenant.id()))
			.cache();
	}

	/**
	 * Stops the wakes in progress without letting go of their claims, as a crash would: each row holds
	 * what was done, and another replica takes over when the lease runs out.
	 */
	void close() {
		closing.tryEmitEmpty();
		ready.values().forEach(Engine::dispose);
		ready.clear();
	}

	/** Claims the row and drives it, or follows the replica that holds it; again when a claim is lost. */
	private Mono<TenantVm> attempt(TenantRef tenant, VmSize size, AtomicBoolean drove,
			AtomicReference<@Nullable Claim> driven) {
		return blocking(() -> vms.claim(tenant.id(), tenant.name(), owner, timing.lease()))
			.flatMap(claimed -> {
				if (claimed.isPresent()) {
					Claim claim = new Claim(claimed.get(), size);
					driven.set(claim);
					if (claimed.get().state() != VmState.READY) {
						drove.set(true);
					}
					return hold(claim);
				}
				return blocking(() -> vms.find(tenant.id()).orElseThrow()).flatMap(vm -> switch (vm.state()) {
					case READY -> Mono.just(vm);
					case FAILED -> Mono.error(new ProxmoxException(Kind.HANDLER,
							vm.lastError() == null ? "failed" : vm.lastError()));
					default -> Mono.delay(timing.follow()).then(Mono.<TenantVm>empty());
				});
			})
			.onErrorResume(LostClaim.class, lost -> Mono.delay(timing.follow()).then(Mono.empty()))
			.repeatWhenEmpty(Integer.MAX_VALUE, repeats -> repeats);
	}

	/** Drives the claimed row to ready, renewing the lease meanwhile; records a failure and lets go. */
	private Mono<TenantVm> hold(Claim claim) {
		Disposable renewal = Flux.interval(timing.lease().dividedBy(3))
			.concatMap(tick -> blocking(() -> vms.renew(claim.now(), owner, timing.lease())))
			.subscribe(held -> {
			}, error -> log.warn("could not renew the claim on the VM of {}: {}", claim.now().tenantName(),
					error.toString()));
		return drive(claim).timeout(WAKE_LIMIT)
			.flatMap(vm -> blocking(() -> {
				vms.release(vm, owner);
				return vm;
			}))
			.onErrorResume(error -> !(error instanceof LostClaim), error -> {
				String message = error instanceof java.util.concurrent.TimeoutException
						? "the VM did not become ready within " + WAKE_LIMIT.toMinutes() + " minutes" : error.getMessage();
				TenantVm now = claim.now();
				log.warn("the wake of the VM of {} failed in {}: {}", now.tenantName(), now.state().lower(), message);
				return blocking(() -> {
					if (now.state().canMoveTo(VmState.FAILED)) {
						claim.save(now.failed(message == null ? error.toString() : message)).block();
					}
					vms.release(claim.now(), owner);
					return now;
				}).onErrorResume(saving -> Mono.empty()).then(Mono.error(error));
			})
			.doFinally(signal -> renewal.dispose());
	}

	private Mono<TenantVm> drive(Claim claim) {
		TenantVm vm = claim.now();
		return switch (vm.state()) {
			case ABSENT, GONE -> cloneNew(claim);
			case CLONING -> {
				// a clone another replica began counts as this wake's
				claim.cloned = true;
				yield vm.upid() != null ? finishClone(claim) : cloneNew(claim);
			}
			case STARTING -> vm.upid() != null ? finishStart(claim) : start(claim);
			case BOOTING -> boot(claim);
			case READY -> Mono.just(engines.engine(vm))
				.flatMap(engine -> VmEngines.ping(engine, PING_TIMEOUT).doFinally(s -> engine.dispose()))
				.thenReturn(vm)
				.onErrorResume(unreachable -> claim.save(vm.failed("its engine did not answer: " + unreachable))
					.flatMap(failed -> recover(claim)));
			case STOPPING -> (vm.upid() != null ? client.await(Upid.parse(vm.upid())) : Mono.<Void>empty())
				.then(claim.save(vm.stopped()))
				.flatMap(stopped -> claim.save(stopped.starting()))
				.flatMap(starting -> start(claim));
			case STOPPED -> claim.save(vm.starting()).flatMap(starting -> start(claim));
			case FAILED -> recover(claim);
			case DESTROYING -> Mono.error(new DockerApiException(HttpStatus.SERVICE_UNAVAILABLE,
					"your VM is being destroyed", timing.retryAfter()));
		};
	}

	/** Clones a new VM for the tenant and brings it up. */
	private Mono<TenantVm> cloneNew(Claim claim) {
		return placeClone(claim, 0).flatMap(cloning -> {
			claim.cloned = true;
			return finishClone(claim);
		});
	}

	/** One clone, or another VMID when the one chosen was taken meanwhile (in Berth or in Proxmox). */
	private Mono<TenantVm> placeClone(Claim claim, int attempt) {
		return cloneOnce(claim)
			.switchIfEmpty(Mono.defer(() -> nextVmid(claim, attempt, "another tenant's VM took the VMID")))
			.onErrorResume(e -> e instanceof ProxmoxException p && p.kind() == Kind.EXISTS,
					e -> nextVmid(claim, attempt, e.getMessage()));
	}

	private Mono<TenantVm> nextVmid(Claim claim, int attempt, @Nullable String why) {
		if (attempt + 1 >= CLONE_ATTEMPTS) {
			return Mono.error(new ProxmoxException(Kind.HANDLER,
					"no free VMID after " + CLONE_ATTEMPTS + " tries (" + why + ")"));
		}
		log.info("the clone for {} takes another VMID: {}", claim.now().tenantName(), why);
		return placeClone(claim, attempt + 1);
	}

	/**
	 * Chooses the online node with the most free memory (among those with a template) and a free VMID,
	 * saves both, clones, and saves the clone's task: empty when the VMID was taken in Berth.
	 */
	private Mono<TenantVm> cloneOnce(Claim claim) {
		return Mono.zip(client.nodes(), client.vms()).flatMap(cluster -> {
			List<ProxmoxClient.Node> nodes = cluster.getT1();
			List<ProxmoxClient.Vm> all = cluster.getT2();
			ProxmoxClient.Node node = nodes.stream()
				.filter(n -> n.online() && templates.serves(n.name()))
				.max(Comparator.comparingLong(ProxmoxClient.Node::free))
				.orElseThrow(() -> new ProxmoxException(Kind.HANDLER, "no online node has a template"));
			int template;
			String templateNode;
			if (templates.shared().isPresent()) {
				template = templates.shared().getAsInt();
				templateNode = all.stream()
					.filter(vm -> vm.vmid() == template)
					.map(ProxmoxClient.Vm::node)
					.findFirst()
					.orElseThrow(() -> new ProxmoxException(Kind.GONE, "template " + template + " does not exist"));
			}
			else {
				template = templates.perNode().get(node.name());
				templateNode = node.name();
			}
			return blocking(() -> {
				Set<Integer> used = new HashSet<>(vms.vmids());
				all.forEach(vm -> used.add(vm.vmid()));
				return used;
			}).flatMap(used -> {
				int vmid = vmids.pick(used, random);
				if (vmid < 0) {
					return Mono.error(new ProxmoxException(Kind.HANDLER,
							"every VMID of berth.backend.proxmox.vmid-range is in use"));
				}
				return claim.save(claim.now().cloning(vmid, node.name()))
					.onErrorResume(DuplicateKeyException.class, taken -> Mono.empty())
					.flatMap(cloning -> client
						.cloneVm(templateNode, template, vmid, cloning.tag(),
								node.name().equals(templateNode) ? null : node.name())
						.flatMap(upid -> claim.save(cloning.running(upid))));
			});
		});
	}

	/** Waits for the clone task, then tags, sizes and addresses the VM: the claim and tag make it the tenant's. */
	private Mono<TenantVm> finishClone(Claim claim) {
		TenantVm vm = claim.now();
		return client.await(Upid.parse(vm.upid())).then(configure(claim)).flatMap(configured -> claim.save(configured.starting()))
			.flatMap(starting -> start(claim));
	}

	private Mono<TenantVm> configure(Claim claim) {
		return address(claim).flatMap(vm -> {
			Map<String, String> config = new LinkedHashMap<>();
			config.put("tags", vm.tag());
			config.put("cores", String.valueOf(claim.size.cores()));
			config.put("memory", String.valueOf(claim.size.memoryMib()));
			config.put("description", "Berth: the VM of tenant " + vm.tenantName() + "; made and destroyed by Berth");
			pool.ifPresent(p -> config.put("ipconfig0", p.ipconfig(java.util.Objects.requireNonNull(vm.address()))));
			Mono<Void> resize = claim.size.diskGib() == null ? Mono.empty()
					: client.resize(vm.node(), vm.vmid(), "scsi0", claim.size.diskGib() + "G");
			return client.configure(vm.node(), vm.vmid(), config).then(resize).thenReturn(vm);
		});
	}

	/** With a pool, the VM's static address is chosen (and saved) before cloud-init is told it. */
	private Mono<TenantVm> address(Claim claim) {
		TenantVm vm = claim.now();
		if (pool.isEmpty() || vm.address() != null) {
			return Mono.just(vm);
		}
		return blocking(vms::addresses).flatMap(used -> {
			String address = pool.get()
				.pick(used)
				.orElseThrow(() -> new ProxmoxException(Kind.HANDLER,
						"every address of berth.backend.proxmox.address-pool is in use"));
			return claim.save(vm.at(address));
		}).onErrorResume(DuplicateKeyException.class, taken -> address(claim));
	}

	private Mono<TenantVm> start(Claim claim) {
		TenantVm vm = claim.now();
		return client.start(vm.node(), vm.vmid())
			.flatMap(upid -> claim.save(vm.running(upid)))
			.flatMap(started -> finishStart(claim));
	}

	private Mono<TenantVm> finishStart(Claim claim) {
		TenantVm vm = claim.now();
		return client.await(Upid.parse(vm.upid()))
			.onErrorResume(e -> e instanceof ProxmoxException p && p.kind() == Kind.TASK_FAILED
					&& String.valueOf(p.getMessage()).contains("already running"), e -> Mono.empty())
			.then(Mono.defer(() -> claim.save(claim.now().booting())))
			.flatMap(booting -> boot(claim));
	}

	/** The address (static, or from the agent), then {@code /_ping} over mutual TLS until it answers. */
	private Mono<TenantVm> boot(Claim claim) {
		TenantVm vm = claim.now();
		Mono<TenantVm> addressed = vm.address() != null ? Mono.just(vm)
				: client.agentAddress(vm.node(), vm.vmid()).flatMap(address -> claim.save(vm.at(address)));
		return addressed.flatMap(withAddress -> {
			Engine engine = engines.engine(withAddress);
			return VmEngines.ping(engine, PING_TIMEOUT)
				.retryWhen(reactor.util.retry.Retry.fixedDelay(Long.MAX_VALUE, timing.follow()))
				.doFinally(signal -> engine.dispose())
				.then(Mono.defer(() -> claim.save(claim.now().ready())));
		});
	}

	/**
	 * After a failure: what Proxmox shows decides the next step. The VM at the recorded VMID is the
	 * tenant's only if it carries the tenant's tag, or the recorded clone task made it.
	 */
	private Mono<TenantVm> recover(Claim claim) {
		TenantVm vm = claim.now();
		if (vm.vmid() == null) {
			return cloneNew(claim);
		}
		return client.vms().flatMap(all -> {
			Optional<ProxmoxClient.Vm> found = all.stream().filter(v -> v.vmid() == vm.vmid()).findFirst();
			if (found.isEmpty() || found.get().template()) {
				return cloneNew(claim);
			}
			ProxmoxClient.Vm there = found.get();
			Mono<Boolean> ours = there.tags().contains(vm.tag()) ? Mono.just(true)
					: vm.upid() != null && Upid.parse(vm.upid()).type().equals("qmclone")
							? client.await(Upid.parse(vm.upid())).thenReturn(true).onErrorReturn(false)
							: Mono.just(false);
			return ours.flatMap(mine -> {
				if (!mine) {
					log.warn("VM {} is not tagged {}: not the tenant's; cloning another", vm.vmid(), vm.tag());
					return cloneNew(claim);
				}
				Mono<TenantVm> configured = there.tags().contains(vm.tag()) ? Mono.just(vm) : configure(claim);
				return configured.flatMap(c -> "running".equals(there.status())
						? claim.save(claim.now().booting()).flatMap(b -> boot(claim))
						: claim.save(claim.now().starting()).flatMap(s -> start(claim)));
			});
		});
	}

	private static <T> Mono<T> blocking(Callable<T> work) {
		return Mono.fromCallable(work).subscribeOn(Schedulers.boundedElastic());
	}

}
