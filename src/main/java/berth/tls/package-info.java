/**
 * Docker's own TLS (port 2376): Berth's certificate authority, the server certificate, and the
 * listener that serves the Docker API over TLS with optional client certificates.
 */
@NullMarked
package berth.tls;

import org.jspecify.annotations.NullMarked;
