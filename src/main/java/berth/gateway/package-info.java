@NullMarked
package berth.gateway;

import org.jspecify.annotations.NullMarked;
