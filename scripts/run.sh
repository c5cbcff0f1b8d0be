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
serving=true
for arg in "$@"; do
  case "$arg" in
    -c|--config|--config=*) has_config=true ;;
    -h|--help|-V|--version) serving=false ;;
  esac
done
if [ "$has_config" = false ]; then
  set -- --config "$root/conf/traverse.yaml" "$@"
fi
# Class data sharing for the server's own classes (AppCDS): start-up reads them from an archive instead of parsing
# and verifying the jars. The archive is recorded by the first run that stops cleanly (SIGTERM, SIGINT) and used
# from then on; a rebuilt jar makes a new one. JDK 19+ checks and recreates it itself (AutoCreateSharedArchive);
# on JDK 17 this script does (ArchiveClassesAtExit). Only a server run records or uses it: a --version or --help
# run would record an archive of the few classes it loads (Logback, picocli), and start-up would then load the
# rest from the jars again (READY 1.9-2.2 s instead of 1.3-1.7 s). TRAVERSE_CDS=off leaves it out.
cds=()
if [ "${TRAVERSE_CDS:-on}" != off ] && [ "$serving" = true ]; then
  archive="${jar%.jar}.jsa"
  java_home=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
  major=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$java_home/release" 2>/dev/null || true)
  if [ "${major:-0}" -ge 19 ]; then
    cds=(-XX:+AutoCreateSharedArchive -XX:SharedArchiveFile="$archive")
  elif [ -f "$archive" ] && [ "$archive" -nt "$jar" ]; then
    cds=(-XX:SharedArchiveFile="$archive")
  elif [ -w "$(dirname "$archive")" ]; then
    rm -f "$archive"
    # (the dump lists the classes it skips as warnings: not for the operator)
    cds=(-XX:ArchiveClassesAtExit="$archive" -Xlog:cds=off -Xlog:cds+dynamic=off)
  fi
fi
# The shipped launcher flags (conf/jvm.options), then TRAVERSE_JAVA_OPTS, which win.
exec java @"$root/conf/jvm.options" "${cds[@]}" ${TRAVERSE_JAVA_OPTS:-} -jar "$jar" "$@"
