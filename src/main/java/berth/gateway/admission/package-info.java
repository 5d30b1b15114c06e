/**
 * One admission for every request on the tenant port, whatever carries it (the fast path, the hijack
 * handler or the gateway's filters): a request goes in as plain inputs and comes out refused or as a
 * {@link berth.gateway.admission.Forward} that the carrier only has to carry out.
 */
@NullMarked
package berth.gateway.admission;

import org.jspecify.annotations.NullMarked;
