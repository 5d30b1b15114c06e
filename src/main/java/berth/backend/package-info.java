@NullMarked
package berth.backend;

import org.jspecify.annotations.NullMarked;
