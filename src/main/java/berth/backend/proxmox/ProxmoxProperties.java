package berth.backend.proxmox;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How Berth reaches a Proxmox VE cluster and the VMs it makes there. The backend is on when
 * {@code url} is set; then the template, the VMID range and the engine TLS files are required
 * (checked at startup, where a missing or unreadable one stops Berth).
 *
 * @param url the API base, {@code https://pve.example:8006/api2/json}
 * @param token {@code USER@REALM!TOKENID=SECRET}; never logged
 * @param caCertificate PEM file of the CA that signed Proxmox's certificate (no trust-all)
 * @param templates template VMID per node, {@code pve1:9000,pve2:9001}; a bare {@code 9000} is one
 *     template on shared storage, cloned to any node
 * @param vmidRange the VMIDs Berth gives out, {@code 10000-19999}
 * @param addressPool static addresses handed out through cloud-init,
 *     {@code 10.99.0.100-10.99.0.199/24,gw=10.99.0.1}; empty: the guest agent reports the address
 * @param engineTls the VM engines' CA and Berth's client certificate
 * @param wakeTimeout how long a request waits for its tenant's VM before a 503
 * @param idleStop how long a VM without running containers or traffic runs before it is stopped
 */
@ConfigurationProperties("berth.backend.proxmox")
public record ProxmoxProperties(@DefaultValue("") String url, @DefaultValue("") String token,
		@DefaultValue("") String caCertificate, @DefaultValue("") String templates,
		@DefaultValue("10000-19999") String vmidRange, @DefaultValue("") String addressPool,
		@DefaultValue EngineTls engineTls, @DefaultValue("120s") Duration wakeTimeout,
		@DefaultValue("15m") Duration idleStop) {

	/**
	 * PEM files for mutual TLS with the VM engines.
	 *
	 * @param caCertificate the CA that signed the engines' server certificates
	 * @param certificate Berth's client certificate, which the engines' {@code --tlscacert} trusts
	 * @param privateKey its unencrypted PKCS#8 key
	 */
	public record EngineTls(@DefaultValue("") String caCertificate, @DefaultValue("") String certificate,
			@DefaultValue("") String privateKey) {
	}

	public boolean enabled() {
		return !url.isBlank();
	}

	/** The token's id without its secret, for messages. */
	public String tokenId() {
		int secret = token.indexOf('=');
		return secret < 0 ? token : token.substring(0, secret);
	}

	/** Without the token's secret: records print every component, and settings end up in logs. */
	@Override
	public String toString() {
		return "ProxmoxProperties[url=" + url + ", token=" + tokenId() + "=***, templates=" + templates
				+ ", vmidRange=" + vmidRange + ", addressPool=" + addressPool + ", wakeTimeout=" + wakeTimeout
				+ ", idleStop=" + idleStop + "]";
	}

}
