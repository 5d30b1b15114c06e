@NullMarked
package berth.policy;

import org.jspecify.annotations.NullMarked;
