/**
 * What the data plane does while a dependency of the control plane is away: answers from what it last
 * knew, within a bound ({@link berth.outage.LastKnown}), refuses what it never knew with a 503 that
 * says so ({@link berth.outage.Unavailable}), and tells the operator when, and for how long, it served
 * stale data ({@link berth.outage.Dependency}).
 */
@NullMarked
package berth.outage;

import org.jspecify.annotations.NullMarked;
