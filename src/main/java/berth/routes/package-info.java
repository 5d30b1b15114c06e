/**
 * Routes: containers labelled {@code berth.http} (or {@code com.wip.http}) get HTTPS routes, published
 * to Traefik through its Redis KV provider. The label contract and custom domains are checked when a
 * container is created ({@link berth.routes.HttpLabelRule}); the engine's event stream drives
 * publishing; the database is the source of truth and Redis a view that is rebuilt when it is lost.
 */
@NullMarked
package berth.routes;

import org.jspecify.annotations.NullMarked;
