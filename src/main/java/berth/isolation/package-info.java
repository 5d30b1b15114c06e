/**
 * Shared-engine isolation: on an engine that serves several tenants, each tenant sees and touches
 * only the containers, volumes, networks and execs it owns (those labelled {@code berth.tenant}).
 */
@NullMarked
package berth.isolation;

import org.jspecify.annotations.NullMarked;
