#!/usr/bin/env bash
# Footprint and start-up of Traverse started the shipped way (scripts/run.sh, i.e. `java @conf/jvm.options`):
#   - start to READY: from exec of scripts/run.sh to the READY=1 datagram on $NOTIFY_SOCKET (what systemd waits
#     for with Type=notify), measured outside the JVM;
#   - RSS and thread count 3 s after READY (fresh start);
#   - idle RSS 2 s and 10 s after a relay load (coturn's turnutils_uclient -y -c, the loads of scripts/bench.sh);
#   - live heap per idle allocation: GC.class_histogram (a full GC, live objects only) before and while
#     COUNT allocations are held idle by scripts/bench/StunLoad.java hold, difference / COUNT, with the classes
#     that grew most.
#
# usage: scripts/bench/footprint.sh                 (needs a built turn-server, coturn 4.17.1, python3, jcmd)
# env:   TRAVERSE_JAVA_OPTS  extra JVM flags after conf/jvm.options (they win), e.g. to try a flag
#        COUNT (default 10000) idle allocations; SECONDS_PER_LOAD (default 8); COTURN_BIN; PORT (default 39560)
#        STARTS (default 3) fresh starts timed before the measured one
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
coturn_bin=${COTURN_BIN:-/opt/coturn-4.17.1/bin}
count=${COUNT:-10000}
seconds=${SECONDS_PER_LOAD:-8}
starts=${STARTS:-3}
port=${PORT:-39560}
admin_port=$((port + 1))
secret=bench-secret
for tool in "$coturn_bin/turnutils_uclient" "$(command -v python3)" "$(command -v jcmd)"; do
  [ -x "$tool" ] || { echo "footprint: missing $tool" >&2; exit 2; }
done
work=$(mktemp -d)
server_pid=
notify_pid=
cleanup() {
  [ -z "$server_pid" ] || kill -KILL "$server_pid" 2>/dev/null || true
  [ -z "$notify_pid" ] || kill "$notify_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
echo "$secret" >"$work/secrets"
cat >"$work/traverse.yaml" <<EOF
server:
  realm: bench
listeners:
  - udp://127.0.0.1:$port
relay:
  addresses:
    - { bind: 127.0.0.1, advertised: null }
  max-allocations-per-user: 100000
auth:
  rest-secrets-file: $work/secrets
  unauthenticated-rate-limit:
    per-second: 0
peers:
  allow-loopback-insecure-test-only: true
admin:
  port: $admin_port
logging:
  level: warn
EOF
javac -d "$work/classes" "$root/scripts/bench/StunLoad.java"
# Build first (scripts/run.sh would, inside the timed start).
"$root/scripts/run.sh" --version >/dev/null

# Starts the server through scripts/run.sh; sets ready_ms to the milliseconds from exec to READY=1.
start_server() {
  rm -f "$work/notify" "$work/ready"
  python3 - "$work/notify" "$work/ready" <<'EOF' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
while True:
    msg = s.recv(4096).decode()
    if "READY=1" in msg.split("\n"):
        open(sys.argv[2], "w").write(str(time.time_ns()))
        break
EOF
  notify_pid=$!
  while [ ! -S "$work/notify" ]; do sleep 0.01; done
  local t0
  t0=$(date +%s%N)
  NOTIFY_SOCKET="$work/notify" "$root/scripts/run.sh" --config "$work/traverse.yaml" >"$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 600); do
    [ -s "$work/ready" ] && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
    sleep 0.05
  done
  [ -s "$work/ready" ] || { echo "footprint: no READY=1 within 30 s" >&2; exit 1; }
  notify_pid=
  ready_ms=$(( ($(cat "$work/ready") - t0) / 1000000 ))
}

stop_server() {
  kill -TERM "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=
}

rss_mb() { awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$server_pid/status"; }
threads() { awk '/Threads/ {print $2}' "/proc/$server_pid/status"; }
live_heap() { jcmd "$server_pid" GC.class_histogram >"$work/histo.$1"; awk '/^Total/ {print $3}' "$work/histo.$1"; }

ready=()
for _ in $(seq 1 "$starts"); do
  start_server
  ready+=("$ready_ms")
  stop_server
done
start_server
ready+=("$ready_ms")
sleep 3
fresh_rss=$(rss_mb)
fresh_threads=$(threads)

uclient() { # clients interval messages
  "$coturn_bin/turnutils_uclient" -y -c -W "$secret" -u bench -m "$1" -z "$2" -n "$3" -l 160 -p "$port" 127.0.0.1 2>&1 |
    grep -E "Total lost packets" | tail -1 | sed -E 's/.*Total lost packets ([0-9]+) \(([0-9.]+)%\).*/\2/'
}
hz=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }
uclient 20 5 200 >/dev/null
loads=()
for load in "100 5 $((seconds * 200))" "100 1 $((seconds * 1000))" "200 0 2000"; do
  read -r clients interval messages <<<"$load"
  before=$(cpu_ticks)
  lost=$(uclient "$clients" "$interval" "$messages")
  after=$(cpu_ticks)
  loads+=("$clients clients -z $interval: $(awk -v t=$((after - before)) -v hz="$hz" -v p=$((clients * messages)) \
    'BEGIN { printf "%.1f", t / hz * 1e6 / p }') µs/msg, loss ${lost:-?} %")
done
sleep 2
load_rss2=$(rss_mb)
sleep 8
load_rss10=$(rss_mb)
load_threads=$(threads)

heap0=$(live_heap 0)
java -XX:+UseSerialGC -cp "$work/classes" StunLoad hold 127.0.0.1 "$port" "$secret" "$count" 120 >"$work/hold" &
hold_pid=$!
for _ in $(seq 1 1200); do
  grep -q '^held' "$work/hold" && break
  sleep 0.1
done
held=$(awk '/^held/ {print $2}' "$work/hold")
sleep 1
heap1=$(live_heap 1)
held_rss=$(rss_mb)
kill "$hold_pid" 2>/dev/null || true
wait "$hold_pid" 2>/dev/null || true

echo "machine: $(nproc) cores, $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1)"
echo "flags: $(grep -v '^#' "$root/conf/jvm.options" | tr '\n' ' ')${TRAVERSE_JAVA_OPTS:-}"
echo "start to READY=1 (ms):        ${ready[*]}"
echo "fresh RSS (3 s after READY):  $fresh_rss MB, $fresh_threads threads"
for l in "${loads[@]}"; do echo "relay load:                   $l"; done
echo "idle RSS after the loads:     $load_rss2 MB after 2 s, $load_rss10 MB after 10 s, $load_threads threads"
echo "idle allocations held:        ${held:-0} (RSS $held_rss MB)"
echo "live heap:                    $heap0 B before, $heap1 B with them: $(( (heap1 - heap0) / ${held:-1} )) B per allocation"
echo "classes that grew most (instances, bytes per allocation):"
awk -v n="${held:-1}" 'FNR == NR && $1 ~ /:$/ { b[$4] = $3; c[$4] = $2; next }
  $1 ~ /:$/ { d = $3 - b[$4]; if (d > 0) printf "  %8.2f %8.1f  %s\n", ($2 - c[$4]) / n, d / n, $4 }' \
  "$work/histo.0" "$work/histo.1" | sort -k2 -nr | head -25
stop_server
