@NullMarked
package berth;

import org.jspecify.annotations.NullMarked;
