package berth.gateway.hijack;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;

import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.epoll.Native;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a half-closed epoll channel registered with epoll, working around a Netty 4.2 bug (seen in
 * 4.2.15 and 4.2.19) that cut hijacked streams short.
 * <p>
 * When the set of events a channel waits for becomes empty, Netty removes its descriptor from
 * epoll ({@code EPOLL_CTL_DEL}) but still counts it as registered, so the next event it waits for is
 * asked with {@code EPOLL_CTL_MOD}, which fails with {@code ENOENT}. That happens in the middle of a
 * flush, when the socket buffer is full and Netty waits for {@code EPOLLOUT}; Netty then shuts the
 * channel's output down and fails every write still queued, and the client reads a clean end of
 * stream in the middle of the data. A half-closed channel reaches the empty set easily: after the
 * peer's FIN it waits neither for {@code EPOLLIN} nor for {@code EPOLLRDHUP}, so the set is empty
 * whenever no write is pending. {@code docker exec} half-closes its side at once when it has no
 * stdin, and its output then died whenever the client read more slowly than the engine wrote.
 * <p>
 * Waiting for {@code EPOLLERR} as well keeps the set from ever being empty and changes nothing
 * else, since epoll reports errors whether they are asked for or not. Netty offers no public way to
 * add an event, hence the reflective call; if Netty changes so that it is not found, a warning is
 * logged once and channels are left as they are. A channel in the set is woken up for as long as
 * both of its directions are shut and it is not closed, so the relay closes each side as soon as
 * both of its directions are done.
 */
final class EpollRegistration {

	private static final Logger LOG = LoggerFactory.getLogger(EpollRegistration.class);

	private static final @Nullable MethodHandle SET_FLAG = setFlag();

	private EpollRegistration() {
	}

	/** Makes the channel wait for errors too, if it is an epoll channel. Call on its event loop. */
	static void keep(Channel channel) {
		if (SET_FLAG == null || !SET_FLAG.type().parameterType(0).isInstance(channel)) {
			return;
		}
		try {
			SET_FLAG.invoke(channel, Native.EPOLLERR);
		}
		catch (Throwable failed) {
			// The channel is closed or its registration is already broken: its own I/O reports that.
			LOG.debug("cannot keep {} registered with epoll: {}", channel, failed.toString());
		}
	}

	private static @Nullable MethodHandle setFlag() {
		Throwable unavailable = null;
		for (Class<?> type = EpollSocketChannel.class; type != null; type = type.getSuperclass()) {
			try {
				Method method = type.getDeclaredMethod("setFlag", int.class);
				method.setAccessible(true);
				return MethodHandles.lookup().unreflect(method);
			}
			catch (NoSuchMethodException notHere) {
				unavailable = notHere;
			}
			catch (ReflectiveOperationException | RuntimeException | LinkageError failed) {
				unavailable = failed;
				break;
			}
		}
		LOG.warn("Netty's epoll channels have changed ({}): hijacked streams may be cut short if this Netty still "
				+ "has the epoll registration bug that EpollRegistration works around", String.valueOf(unavailable));
		return null;
	}

}
