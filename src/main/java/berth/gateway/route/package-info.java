/**
 * The gateway carrier: Spring Cloud Gateway's route for the requests the fast path leaves, one admission filter and the engine routing.
 */
@NullMarked
package berth.gateway.route;

import org.jspecify.annotations.NullMarked;
