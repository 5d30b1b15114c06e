#!/usr/bin/env bash
# Prints a JAVA_HOME with Java 21 or newer: $JAVA_HOME if it qualifies, else the newest JDK under /usr/lib/jvm.
set -euo pipefail
major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }
if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]] && (( $(major "$JAVA_HOME") >= 21 )); then
  echo "$JAVA_HOME"; exit 0
fi
for home in $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do
  home=${home%/}
  if [[ -x "$home/bin/javac" ]] && (( $(major "$home") >= 21 )); then echo "$home"; exit 0; fi
done
echo "no JDK 21+ found under /usr/lib/jvm; set JAVA_HOME" >&2
exit 1
