#!/usr/bin/env bash
# Runs the whole Traverse test suite: unit, integration (real server on loopback) and interop tests
# (coturn's turnutils_* clients). Installs the interop tools when they are missing (Debian: package coturn).
# Usage: scripts/test.sh [extra maven arguments]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

# tool -> Debian package that provides it
declare -A package_of=(
  [turnutils_stunclient]=coturn [turnutils_uclient]=coturn [turnutils_peer]=coturn
  [turnutils_natdiscovery]=coturn [systemd-analyze]=systemd
  [turnadmin]=coturn [redis-server]=redis-server [chromium]=chromium
)
packages=()
for tool in "${!package_of[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || packages+=("${package_of[$tool]}")
done
# PostgreSQL's server binaries are not on PATH (Debian keeps them in /usr/lib/postgresql/<version>/bin).
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || packages+=(postgresql)
if [ ${#packages[@]} -gt 0 ]; then
  mapfile -t packages < <(printf '%s\n' "${packages[@]}" | sort -u)
  echo "scripts/test.sh: installing ${packages[*]}" >&2
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq "${packages[@]}" >/dev/null
  # The Debian package may enable a coturn service; Traverse's tests never need it running.
  if command -v systemctl >/dev/null 2>&1; then "${sudo_cmd[@]}" systemctl disable --now coturn >/dev/null 2>&1 || true; fi
  # Nor the system redis-server or postgresql: the store tests start private instances on ephemeral ports.
  if command -v systemctl >/dev/null 2>&1; then
    "${sudo_cmd[@]}" systemctl disable --now redis-server postgresql >/dev/null 2>&1 || true
  fi
fi

cd "$root"
exec mvn -B verify "$@"
