#!/usr/bin/env bash
# CPU per relayed packet: Traverse vs coturn, same load, same machine, loopback only.
#
# Each server runs alone on 127.0.0.1 with a TURN REST secret. coturn's turnutils_uclient drives CLIENTS
# sessions, each sending MESSAGES ChannelData packets of SIZE bytes every INTERVAL ms to turnutils_peer, which
# echoes them: every message is relayed twice (client->peer, peer->client). The server's CPU time (utime+stime
# from /proc/PID/stat) over the measured run divided by the packets relayed gives microseconds per packet.
# A warm-up run precedes each measurement (the JVM compiles its hot path; coturn warms its caches).
#
# For Traverse the CPU of its event-loop threads (traverse-io-*, from /proc/PID/task/*/stat) is shown as well;
# the headline number is always the whole process (JIT compiler, GC and other JVM threads included).
#
# usage: scripts/bench-relay.sh [CLIENTS] [MESSAGES] [SIZE] [INTERVAL_MS]
# env:   TRAVERSE_JAR (default turn-server/target/traverse-server.jar), TRAVERSE_JAVA_OPTS (default -Xmx512m),
#        WARMUPS (warm-up runs before each measurement, default 1)
# needs: coturn (turnserver, turnutils_uclient, turnutils_peer), a built turn-server (mvn -q package -DskipTests)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
clients=${1:-50}
messages=${2:-2000}
size=${3:-160}
interval=${4:-5}
secret=bench-secret
jar="${TRAVERSE_JAR:-$root/turn-server/target/traverse-server.jar}"
warmups=${WARMUPS:-1}
[ -f "$jar" ] || (cd "$root" && mvn -q -B package -DskipTests -pl turn-server -am)
work=$(mktemp -d)
# SIGKILL for Traverse: on SIGTERM it drains its allocations first and would still hold port 39478 when the
# next benchmark starts.
traverse_pid=
trap '[ -z "$traverse_pid" ] || kill -KILL "$traverse_pid" 2>/dev/null; kill $(jobs -p) 2>/dev/null || true
      rm -rf "$work"' EXIT

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# utime+stime of the threads of PID whose name starts with traverse-io (comm has no spaces, so fields hold)
io_ticks() {
  local t sum=0
  for t in /proc/"$1"/task/*; do
    if [[ $(cat "$t/comm" 2>/dev/null) == traverse-io* ]]; then
      sum=$(( sum + $(awk '{print $14 + $15}' "$t/stat") ))
    fi
  done
  echo "$sum"
}
hz=$(getconf CLK_TCK)

turnutils_peer -L 127.0.0.1 -p 39480 >/dev/null 2>&1 &
sleep 0.5

run_load() { # port
  turnutils_uclient -c -W "$secret" -u bench -m "$clients" -n "$messages" -l "$size" -z "$interval" \
    -p "$1" -e 127.0.0.1 -r 39480 127.0.0.1 2>&1 | grep -E "Total lost packets" | tail -1
}

measure() { # name pid port
  local name=$1 pid=$2 port=$3
  local i
  for (( i = 0; i < warmups; i++ )); do run_load "$port" >/dev/null; done
  local before after lost io_before io_after
  before=$(cpu_ticks "$pid"); io_before=$(io_ticks "$pid")
  lost=$(run_load "$port")
  after=$(cpu_ticks "$pid"); io_after=$(io_ticks "$pid")
  local packets=$(( clients * messages * 2 ))
  local us
  us=$(awk -v t=$(( after - before )) -v hz="$hz" -v p="$packets" 'BEGIN { printf "%.2f", t / hz * 1e6 / p }')
  printf '%-9s cpu %5.2f s  packets %8d  %6s us/packet  (%s)\n' "$name" \
    "$(awk -v t=$(( after - before )) -v hz="$hz" 'BEGIN { print t / hz }')" "$packets" "$us" "${lost#*: : }"
  if [ "$name" = traverse ]; then
    awk -v t=$(( io_after - io_before )) -v hz="$hz" -v p="$packets" \
      'BEGIN { printf "          of which traverse-io threads %5.2f us/packet\n", t / hz * 1e6 / p }'
  fi
}

echo "$secret" > "$work/secrets"
java ${TRAVERSE_JAVA_OPTS:--Xmx512m} -jar "$jar" --set listeners=udp://127.0.0.1:39478 --realm bench \
  --set auth.rest-secrets-file="$work/secrets" --set relay.addresses=127.0.0.1 \
  --set peers.allow-loopback-insecure-test-only=true --set admin.enabled=false \
  --set auth.unauthenticated-rate-limit.per-second=0 --set relay.max-allocations-per-user=100000 \
  --log-level warn >"$work/traverse.log" 2>&1 &
traverse_pid=$!
disown "$traverse_pid" # killed by PID in the EXIT trap; no "Killed" notice from the shell
turnserver -n --no-cli --no-tls --no-dtls --listening-ip=127.0.0.1 --listening-port=39479 \
  --relay-ip=127.0.0.1 --min-port=40000 --max-port=45000 --use-auth-secret --static-auth-secret="$secret" \
  --realm=bench --allow-loopback-peers --log-file=/dev/null --no-stdout-log >/dev/null 2>&1 &
coturn_pid=$!
sleep 3

echo "load: $clients clients x $messages messages x $size bytes every $interval ms, echoed (2 relays each)"
echo "machine: $(nproc) cores, $(uname -r), $(java -version 2>&1 | head -1), coturn $(turnserver --version 2>&1 | head -1)"
measure traverse "$traverse_pid" 39478
measure coturn "$coturn_pid" 39479
