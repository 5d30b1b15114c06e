/**
 * The fast path: ordinary HTTP/1.1 requests (no body the policy reads, no streamed rewrite) carried by a Netty handler behind the HTTP codec, on pooled engine connections of the client's event loop.
 */
@NullMarked
package berth.gateway.fastpath;

import org.jspecify.annotations.NullMarked;
