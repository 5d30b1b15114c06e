/**
 * The Proxmox VE backend: a VM of its own for each tenant on a {@code proxmox} plan, cloned from a
 * template on demand, woken exactly once however many requests arrive, and reached over mutual TLS.
 * Internal to the {@code backend} module: other features see only {@link berth.backend.Backends}.
 */
@NullMarked
package berth.backend.proxmox;

import org.jspecify.annotations.NullMarked;
