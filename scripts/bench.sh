#!/usr/bin/env bash
# Traverse vs coturn 4.17.1 (plain and --udp-recvmmsg), one after the other, same loads, same machine, loopback.
# Prints ONE table: CPU µs per relayed message, loss, idle RSS after the runs, STUN Binding rate, allocation rate.
#
# Relay loads use coturn 4.17.1's own turnutils_uclient -y -c (client-to-client through two allocations, RFC 8656
# channel numbers): every message goes client -> relay -> relay -> client. CPU = utime+stime of the server process
# (/proc/PID/stat) per message, two ways: per relayed message while relaying (the first figure of a cell: from
# uclient's first to its last once-a-second progress line, so without the clients' connect phase and teardown,
# divided by the messages the clients received in it) and per message sent over the whole uclient run ("run":
# clients x messages, connect phase and teardown included, the figure of the tables before session 9). A warm-up
# run precedes the measurements of each server. Binding and allocation rates come from scripts/bench/StunLoad.java
# (16 sockets x 32 Bindings in flight; serial Allocate-401 / Allocate / Refresh(0) from one socket), each after
# STUNLOAD_WARMUP_SECONDS of the same load that are not counted (StunLoad is a JVM: cold, its own JIT sets the pace).
# The allocating client polls for its responses instead of sleeping (STUNLOAD_SPIN=false: it sleeps; StunLoad.java
# says why), and the cell adds the server's CPU per completed allocation.
#
# usage: scripts/bench.sh [quick|full]     quick (default, ~4 min): 100x200/s, 100x1000/s, 200 unpaced
#                                          full: the quick loads and the same at 2x clients (~8 min)
# env:   TRAVERSE_JAR (default turn-server/target/traverse-server.jar), TRAVERSE_JAVA_OPTS (extra JVM flags after
#        conf/jvm.options, the shipped launcher flags), COTURN_BIN (default /opt/coturn-4.17.1/bin),
#        SERVERS (default "traverse coturn coturn-recvmmsg"), IDLE_SECONDS (default 10: idle time before RSS is read),
#        ROUNDS (default 1: the whole sequence again, every other round with the servers in reverse order; each cell
#        then lists one figure per round, "a / b / c"), SECONDS_PER_LOAD (default 8), WARMUP_SECONDS (default 20: relayed traffic before the first
#        measurement, the same for every server, so the JVM's JIT compilation is not counted as relaying),
#        STUNLOAD_WARMUP_SECONDS (default 5: uncounted Binding / allocation load before each of those measurements),
#        STUNLOAD_SPIN (default true: the allocating client polls for responses; false: it sleeps until they arrive),
#        SYSCALLS (set: also count the server's system calls per relayed message with perf stat, shown as "sc")
# needs: coturn 4.17.1 (shared/tools/build-coturn), a built turn-server (mvn -q -B package -DskipTests)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:-quick}
coturn_bin=${COTURN_BIN:-/opt/coturn-4.17.1/bin}
jar="${TRAVERSE_JAR:-$root/turn-server/target/traverse-server.jar}"
servers=${SERVERS:-traverse coturn coturn-recvmmsg}
seconds=${SECONDS_PER_LOAD:-8}
secret=bench-secret
port=39478
hz=$(getconf CLK_TCK)
for tool in turnserver turnutils_uclient; do
  [ -x "$coturn_bin/$tool" ] || { echo "bench: missing $coturn_bin/$tool (run shared/tools/build-coturn)" >&2; exit 2; }
done
[ -f "$jar" ] || (cd "$root" && mvn -q -B package -DskipTests -pl turn-server -am)
work=$(mktemp -d)
server_pid=
trap '[ -z "$server_pid" ] || kill -KILL "$server_pid" 2>/dev/null; rm -rf "$work"' EXIT
echo "$secret" >"$work/secrets"
# Compile the load generator once (the source launcher would recompile it on every run).
javac -d "$work/classes" "$root/scripts/bench/StunLoad.java"
# Allocating clients come from 127.0.0.2: uclient leaves its allocations on 127.0.0.1 (StunLoad.java says why).
stunload() { # [-Dproperty=value ...] command args...
  local props=()
  while [[ ${1:-} == -D* ]]; do props+=("$1"); shift; done
  java -XX:+UseSerialGC -Dstunload.from=127.0.0.2 "${props[@]}" -cp "$work/classes" StunLoad "$@"
}

# name clients interval_ms messages: pacing interval 0 = unpaced
loads=("100x200/s 100 5 $((seconds * 200))" "100x1000/s 100 1 $((seconds * 1000))" "200-unpaced 200 0 2000")
if [ "$mode" = full ]; then
  loads+=("200x200/s 200 5 $((seconds * 200))" "200x1000/s 200 1 $((seconds * 1000))" "400-unpaced 400 0 2000")
fi

start_server() { # name
  case "$1" in
    traverse)
      # shellcheck disable=SC2086
      java @"$root/conf/jvm.options" ${TRAVERSE_JAVA_OPTS:-} -jar "$jar" --set listeners=udp://127.0.0.1:$port \
        --realm bench --set auth.rest-secrets-file="$work/secrets" --set relay.addresses=127.0.0.1 \
        --set peers.allow-loopback-insecure-test-only=true --set admin.enabled=false \
        --set auth.unauthenticated-rate-limit.per-second=0 --set relay.max-allocations-per-user=100000 \
        --log-level warn >"$work/$1.log" 2>&1 &
      ;;
    coturn|coturn-recvmmsg)
      local extra=
      [ "$1" = coturn-recvmmsg ] && extra=--udp-recvmmsg
      "$coturn_bin/turnserver" -n --no-cli --no-tls --no-dtls --no-tcp --listening-ip=127.0.0.1 \
        --listening-port=$port --relay-ip=127.0.0.1 --min-port=40000 --max-port=60000 --use-auth-secret \
        --static-auth-secret="$secret" --realm=bench --allow-loopback-peers --log-file=/dev/null \
        --no-stdout-log $extra >"$work/$1.log" 2>&1 &
      ;;
  esac
  server_pid=$!
  disown "$server_pid"
  local t0 i
  t0=$(date +%s%N)
  for i in $(seq 1 200); do
    ss -Hlun "sport = :$port" | grep -q . && break
    sleep 0.05
  done
  start_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  sleep 1
}

stop_server() {
  kill -KILL "$server_pid" 2>/dev/null || true
  server_pid=
  sleep 1
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }

# uclient clients interval messages -> "lost_n lost_pct window_ticks window_relayed": the loss of the whole run, and
# the server's CPU ticks and the messages relayed (received by the clients) while messages were flowing: from
# uclient's first progress line (once a second) that counts a sent message to its last one. That window leaves out
# the clients' connect phase (Allocate, permissions, channel binds) and their teardown, which the allocation rate
# measures, and the JIT compilation of those paths, which a JVM pays once per life of the process. Dividing by
# the messages that arrived, not those sent, charges a server for what it relays: a datagram its socket buffer
# dropped costs it little and relays nothing.
uclient() {
  local first_ticks= first_recv= last_ticks= last_recv= line sent recv
  "$coturn_bin/turnutils_uclient" -y -c -W "$secret" -u bench -m "$1" -z "$2" -n "$3" -l 160 -p $port 127.0.0.1 2>&1 |
    while IFS= read -r line; do
      case $line in
        *"start_mclient: msz="*)
          sent=${line#*tot_send_msgs=}; sent=${sent%%,*}
          recv=${line#*tot_recv_msgs=}; recv=${recv%%,*}
          [ "$sent" -gt 0 ] || continue
          if [ -z "$first_ticks" ]; then first_ticks=$(cpu_ticks); first_recv=$recv
          else last_ticks=$(cpu_ticks); last_recv=$recv; fi
          ;;
        *"Total lost packets"*)
          sed -E 's/.*Total lost packets ([0-9]+) \(([0-9.]+)%\).*/\1 \2/' <<<"$line" | tr '\n' ' '
          if [ -n "$last_ticks" ]; then
            echo "$((last_ticks - first_ticks)) $((last_recv - first_recv))"
          else
            echo "0 0" # the run was shorter than two progress lines: no window
          fi
          ;;
      esac
    done
}

declare -A result
# put SERVER ROW VALUE: one round's value of a cell; several rounds are shown side by side, "a / b / c"
put() {
  if [ -n "${result[$1,$2]:-}" ]; then result[$1,$2]+=" / $3"; else result[$1,$2]=$3; fi
}
rounds=${ROUNDS:-1}
for round in $(seq 1 "$rounds"); do
  order=$servers
  # Every other round runs the servers in reverse order, so a drift of the machine does not favour one of them.
  [ $((round % 2)) = 0 ] && order=$(tr ' ' '\n' <<<"$servers" | tac | tr '\n' ' ')
  for server in $order; do
    start_server "$server"
    put "$server" start "$start_ms ms"
    # Warm-up: the same relayed traffic for every server (100 clients x 200 msg/s); a JVM spends its first seconds
    # compiling the relay path, a one-off cost reported separately as "warm-up CPU".
    before=$(cpu_ticks)
    uclient 100 5 $((${WARMUP_SECONDS:-20} * 200)) >/dev/null
    put "$server" warmup "$(awk -v t=$(( $(cpu_ticks) - before )) -v hz="$hz" 'BEGIN { printf "%.1f s", t / hz }')"
    for load in "${loads[@]}"; do
      read -r name clients interval messages <<<"$load"
      perf_pid=
      if [ -n "${SYSCALLS:-}" ]; then
        perf stat -x, -e raw_syscalls:sys_enter -p "$server_pid" -o "$work/perf" 2>/dev/null &
        perf_pid=$!
      fi
      before=$(cpu_ticks)
      lost=$(uclient "$clients" "$interval" "$messages")
      after=$(cpu_ticks)
      sent=$((clients * messages))
      us=$(awk -v t=$((after - before)) -v hz="$hz" -v p="$sent" 'BEGIN { printf "%.1f", t / hz * 1e6 / p }')
      read -r lost_n lost_pct window_ticks window_relayed <<<"${lost:-? ? 0 0}"
      window=$(awk -v t="$window_ticks" -v hz="$hz" -v p="$window_relayed" \
        'BEGIN { if (p > 0) printf "%.1f", t / hz * 1e6 / p; else printf "-" }')
      cell="$window µs (run $us), loss ${lost_pct}%"
      if [ -n "$perf_pid" ]; then
        kill -INT "$perf_pid"; wait "$perf_pid" 2>/dev/null || true
        calls=$(awk -F, '/raw_syscalls/ {print $1}' "$work/perf")
        cell+=", $(awk -v c="${calls:-0}" -v p="$sent" 'BEGIN { printf "%.2f", c / p }') sc"
      fi
      put "$server" "$name" "$cell"
    done
    b=$(stunload binding 127.0.0.1 $port 16 32 "$seconds" "${STUNLOAD_WARMUP_SECONDS:-5}")
    put "$server" binding "$(awk '{printf "%d/s", $2}' <<<"$b")"
    before=$(cpu_ticks)
    a=$(stunload -Dstunload.spin="${STUNLOAD_SPIN:-true}" allocate 127.0.0.1 $port "$secret" "$seconds" \
      "${STUNLOAD_WARMUP_SECONDS:-5}")
    after=$(cpu_ticks)
    # Only completed cycles count; failed ones (an error response or no answer within 1 s) are shown beside the rate.
    # CPU: the server's, warm-up included, per allocation completed in that time (failed cycles cost it too).
    put "$server" allocate "$(awk -v t=$((after - before)) -v hz="$hz" '{printf "%d/s, %.0f µs", $2, t / hz * 1e6 / $5;
      if ($7 > 0) printf " (%d failed: %s)", $7, $8}' <<<"$a")"
    # Idle: 10 s after the last load, the same for every server (right after the allocation load a JVM is still
    # compiling that path, and its compiler's malloc arena swings the figure by ~10 MB).
    sleep "${IDLE_SECONDS:-10}"
    put "$server" rss "$(awk '/VmRSS/ {printf "%d MB", $2 / 1024}' "/proc/$server_pid/status")"
    stop_server
  done
done

echo "machine: $(nproc) cores, $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1)"
echo "traverse: $(grep -v '^#' "$root/conf/jvm.options" | tr '\n' ' ')${TRAVERSE_JAVA_OPTS:-}"
printf '| %-16s |' "load"
for server in $servers; do printf ' %-40s |' "$server"; done
echo
printf '|%s|' "------------------"
for server in $servers; do printf '%s|' "------------------------------------------"; done
echo
for row in "${loads[@]%% *}" binding allocate rss start warmup; do
  case $row in
    warmup) label="warm-up CPU" ;;
    binding) label="Binding 16x32" ;; allocate) label="Allocations" ;; rss) label="idle RSS after" ;;
    start) label="start to bound" ;; *) label="$row" ;;
  esac
  printf '| %-16s |' "$label"
  for server in $servers; do
    v=${result[$server,$row]:-}
    printf ' %-40s |' "$v"
  done
  echo
done
