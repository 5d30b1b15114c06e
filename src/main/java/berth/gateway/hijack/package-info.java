/**
 * The hijack carrier: attach, exec start and BuildKit upgrades, relayed raw once the engine said 101.
 */
@NullMarked
package berth.gateway.hijack;

import org.jspecify.annotations.NullMarked;
