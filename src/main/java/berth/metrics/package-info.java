@NullMarked
package berth.metrics;

import org.jspecify.annotations.NullMarked;
