#!/usr/bin/env bash
# Removes what scripts/install.sh installed.
#
#   scripts/uninstall.sh [--purge]
#
# Stops and disables traverse.service (live system, systemd running), then removes the unit,
# /opt/traverse/{bin,lib} as installed, and the /usr/local/bin/turn-cli symlink if it points to ours.
# /etc/traverse (configuration, users, REST secret) and /etc/sysctl.d/60-traverse.conf are kept unless
# --purge, which also deletes the `traverse` system user. DESTDIR works as for install.sh; without it this must run as root.
set -euo pipefail

DESTDIR="${DESTDIR:-}"
DESTDIR="${DESTDIR%/}"
PREFIX=/opt/traverse
CONF_DIR=/etc/traverse
UNIT=/etc/systemd/system/traverse.service
CLI_LINK=/usr/local/bin/turn-cli
SERVICE_USER=traverse
SYSCTL_FILE=/etc/sysctl.d/60-traverse.conf

say() { printf 'uninstall: %s\n' "$*"; }
die() { printf 'uninstall: error: %s\n' "$*" >&2; exit 1; }

purge=false
while (($#)); do
    case "$1" in
        --purge) purge=true ;;
        -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) die "unknown option '$1' (try --help)" ;;
    esac
    shift
done

live=false
[[ -z "$DESTDIR" ]] && live=true
if $live && ((EUID != 0)); then
    die "uninstalling from / needs root; run it with sudo, or set DESTDIR=<dir>"
fi
D="$DESTDIR"
systemd_running=false
if $live && [[ -d /run/systemd/system ]]; then systemd_running=true; fi

if [[ -e "$D$UNIT" ]]; then
    if $systemd_running; then
        systemctl disable --now traverse.service || true
        say "stopped and disabled traverse.service"
    fi
    rm -f "$D$UNIT"
    say "removed $UNIT"
    if $systemd_running; then
        systemctl daemon-reload
        systemctl reset-failed traverse.service 2>/dev/null || true
    fi
fi

if [[ -L "$D$CLI_LINK" && "$(readlink "$D$CLI_LINK")" == "$PREFIX/bin/turn-cli" ]]; then
    rm -f "$D$CLI_LINK"
    say "removed $CLI_LINK"
fi

if [[ -d "$D$PREFIX" ]]; then
    rm -f "$D$PREFIX/bin/traverse" "$D$PREFIX/bin/turn-cli"
    rm -rf "$D$PREFIX/lib/server" "$D$PREFIX/lib/cli"
    # Anything else an administrator put under /opt/traverse stays, and so do the directories holding it.
    rmdir "$D$PREFIX/bin" "$D$PREFIX/lib" 2>/dev/null || true
    if rmdir "$D$PREFIX" 2>/dev/null; then
        say "removed $PREFIX"
    else
        say "removed Traverse from $PREFIX (other files there were left alone)"
    fi
fi

if $purge; then
    if [[ -d "$D$CONF_DIR" ]]; then
        rm -rf "$D$CONF_DIR"
        say "purged $CONF_DIR"
    fi
    if [[ -f "$D$SYSCTL_FILE" ]]; then
        rm -f "$D$SYSCTL_FILE"
        say "purged $SYSCTL_FILE (the running kernel keeps its values until reboot)"
    fi
    if $live && getent passwd "$SERVICE_USER" >/dev/null; then
        userdel "$SERVICE_USER"
        say "deleted system user $SERVICE_USER"
    fi
elif [[ -d "$D$CONF_DIR" ]]; then
    say "kept $CONF_DIR (configuration, users, REST secret); --purge removes it"
fi
