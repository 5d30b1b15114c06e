package berth.backend.proxmox;

import java.util.Locale;

/**
 * A failed Proxmox call, sorted by what the caller does about it: retry later ({@link Kind#LOCKED}),
 * take another VMID ({@link Kind#EXISTS}), wait for the guest ({@link Kind#AGENT_NOT_READY}), or give
 * up and say why.
 */
public final class ProxmoxException extends RuntimeException {

	public enum Kind {
		/** The token was refused (401). */
		AUTH,
		/** The token may not do this (403). */
		PERMISSION,
		/** A parameter was refused (400). */
		PARAMETER,
		/** A config or storage lock timed out, or the VM is locked by another task: retry with backoff. */
		LOCKED,
		/** {@code config file already exists}: another caller took the VMID. */
		EXISTS,
		/** The VM or its config does not exist. */
		GONE,
		/** The guest agent is not (yet) there: the VM is booting. */
		AGENT_NOT_READY,
		/** A task ended with an exit status other than OK. */
		TASK_FAILED,
		/** Any other error of an API handler (500). */
		HANDLER,
		/** Proxmox did not answer: connection refused, timeout, a proxy's 502-504. */
		UNAVAILABLE,
		/** An answer Berth cannot read. */
		PROTOCOL;

		/** The metrics tag. */
		public String tag() {
			return name().toLowerCase(Locale.ROOT).replace('_', '-');
		}
	}

	private final Kind kind;

	ProxmoxException(Kind kind, String message) {
		super(message, null, false, false);
		this.kind = kind;
	}

	ProxmoxException(Kind kind, String message, Throwable cause) {
		super(message, cause, false, false);
		this.kind = kind;
	}

	public Kind kind() {
		return kind;
	}

	/** Sorts a handler's error message (a 500's reason phrase, or a task's exit status). */
	static Kind classify(String message, Kind otherwise) {
		String m = message.toLowerCase(Locale.ROOT);
		if (m.contains("got timeout") && m.contains("lock") || m.startsWith("vm is locked")) {
			return Kind.LOCKED;
		}
		if (m.contains("config file already exists")) {
			return Kind.EXISTS;
		}
		if (m.contains("does not exist")) {
			return Kind.GONE;
		}
		if (m.contains("guest agent is not running")) {
			return Kind.AGENT_NOT_READY;
		}
		return otherwise;
	}

}
