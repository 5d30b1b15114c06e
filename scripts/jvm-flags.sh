#!/usr/bin/env bash
# Prints the JVM flags Berth runs with, for the java given as $1 (scripts/start and bench/run use them):
# native access for Netty's epoll transport, and, on JDKs that ask for it (23+), direct memory access
# through sun.misc.Unsafe, without which Netty reads and writes its buffers through bounds-checked
# ByteBuffer calls (about a quarter more CPU per proxied request, bench/run).
set -euo pipefail
java=${1:?usage: scripts/jvm-flags.sh /path/to/java}
flags=(--enable-native-access=ALL-UNNAMED)
if "$java" --sun-misc-unsafe-memory-access=allow -version >/dev/null 2>&1; then
  flags+=(--sun-misc-unsafe-memory-access=allow)
fi
echo "${flags[*]}"
