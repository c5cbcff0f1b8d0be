#!/usr/bin/env bash
# Builds Traverse if needed and starts the server on conf/traverse.yaml (or the file given with --config).
# Extra arguments are passed to the server, e.g.:  scripts/run.sh --set server.realm=example.org
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jar="$root/turn-server/target/traverse-server.jar"
newest_source=$(find "$root/pom.xml" "$root/turn-server/pom.xml" "$root/turn-server/src/main" "$root/traverse-stun/pom.xml" "$root/traverse-stun/src/main" -newer "$jar" -print -quit 2>/dev/null || true)
if [ ! -f "$jar" ] || [ -n "$newest_source" ]; then
  echo "scripts/run.sh: building turn-server (mvn -q package -DskipTests)..." >&2
  (cd "$root" && mvn -q -B package -DskipTests -pl turn-server -am)
fi
has_config=false
for arg in "$@"; do
  case "$arg" in -c|--config|--config=*) has_config=true ;; esac
done
if [ "$has_config" = false ]; then
  set -- --config "$root/conf/traverse.yaml" "$@"
fi
# The shipped launcher flags (conf/jvm.options), then TRAVERSE_JAVA_OPTS, which win.
exec java @"$root/conf/jvm.options" ${TRAVERSE_JAVA_OPTS:-} -jar "$jar" "$@"
