/**
 * Teardown on deletion: what a deleted tenant left on its backend (containers, volumes, networks and
 * image tags on the shared engine; a VM of its own) is removed in the background, resumably, by any
 * replica; its name is given out again once nothing is left. The deletion itself asks for it (a row
 * in {@code teardown}, written in the statement that deletes the tenant).
 */
@NullMarked
package berth.teardown;

import org.jspecify.annotations.NullMarked;
