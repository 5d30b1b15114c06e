@NullMarked
package berth.web;

import org.jspecify.annotations.NullMarked;
