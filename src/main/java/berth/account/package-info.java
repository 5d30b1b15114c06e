@NullMarked
package berth.account;

import org.jspecify.annotations.NullMarked;
