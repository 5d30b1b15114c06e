package berth.backend.proxmox;

import java.io.File;
import java.time.Duration;

import javax.net.ssl.SSLException;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import reactor.core.publisher.Mono;

import berth.backend.Engine;
import berth.backend.EngineAddress;

/**
 * Tenants' VM engines, reached over mutual TLS only: {@code tcp://<address>:2376}, the engine's
 * certificate verified against the configured CA (and its address), Berth's client certificate
 * presented. A VM engine in plain TCP would belong to any container that can route to it, so Berth
 * does not start without these files.
 */
final class VmEngines {

	static final int PORT = 2376;

	private final SslContext tls;

	VmEngines(ProxmoxProperties.EngineTls files) {
		this.tls = context(files);
	}

	static SslContext context(ProxmoxProperties.EngineTls files) {
		if (files.caCertificate().isBlank() || files.certificate().isBlank() || files.privateKey().isBlank()) {
			throw new IllegalStateException("berth.backend.proxmox.engine-tls.ca-certificate, .certificate and "
					+ ".private-key are required with the Proxmox backend: VM engines are reached over mutual TLS "
					+ "only (a plain TCP engine would belong to any container that can route to it)");
		}
		for (String file : new String[] { files.caCertificate(), files.certificate(), files.privateKey() }) {
			if (!new File(file).canRead()) {
				throw new IllegalStateException("berth.backend.proxmox.engine-tls: cannot read " + file);
			}
		}
		try {
			return SslContextBuilder.forClient()
				.trustManager(new File(files.caCertificate()))
				.keyManager(new File(files.certificate()), new File(files.privateKey()))
				.build();
		}
		catch (SSLException | IllegalArgumentException e) {
			throw new IllegalStateException("berth.backend.proxmox.engine-tls: " + e.getMessage(), e);
		}
	}

	Engine engine(TenantVm vm) {
		if (vm.address() == null) {
			throw new IllegalStateException("the VM of tenant " + vm.tenantName() + " has no address yet");
		}
		return new Engine("vm-" + vm.tenantName() + "-" + vm.vmid(),
				EngineAddress.parse("tcp://" + vm.address() + ":" + PORT), Engine.Kind.OWN, tls);
	}

	/** The engine answers {@code /_ping} over mutual TLS: the VM is ready. */
	static Mono<Void> ping(Engine engine, Duration timeout) {
		return engine.http()
			.get()
			.uri("/_ping")
			.responseSingle((response, body) -> response.status().code() == 200 ? body.then()
					: Mono.error(new IllegalStateException("the VM's engine answered " + response.status())))
			.timeout(timeout)
			.then();
	}

}
