/**
 * Self-service signup: a server-rendered form on the Docker API port that mails a one-time link,
 * and the page the link opens, which creates the tenant and hands out its key and certificate.
 */
@NullMarked
package berth.signup;

import org.jspecify.annotations.NullMarked;
