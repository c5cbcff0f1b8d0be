#!/usr/bin/env bash
# Installs Traverse on this machine (or into a staging tree when DESTDIR is set).
#
#   scripts/install.sh [--build | --no-build]
#
#   /opt/traverse/bin/{traverse,turn-cli}   launchers (exec java -jar ...)
#   /opt/traverse/lib/server/               traverse-server.jar + lib/ (its manifest Class-Path) + jvm.options
#   /opt/traverse/lib/cli/                  turn-cli.jar + lib/
#   /etc/traverse/traverse.yaml             from conf/traverse.yaml, only if absent (auth paths rewritten)
#   /etc/traverse/users                     empty users file, only if absent (0600, owner traverse)
#   /etc/traverse/rest-secrets              32 random bytes, base64, only if absent (0600, owner traverse)
#   /etc/systemd/system/traverse.service    the unit from systemd/traverse.service
#   /etc/sysctl.d/60-traverse.conf          UDP socket buffer caps (8 MiB), only if absent
#   /usr/local/bin/turn-cli                 symlink to /opt/traverse/bin/turn-cli
#
# Program files are replaced when their content changed; configuration and secrets are never overwritten,
# so running it again is safe (it is how you upgrade). Without DESTDIR it must run as root; it then creates
# the `traverse` system user and, when systemd is running, runs `systemctl daemon-reload`. It never starts,
# stops or enables the service.
#
# Options:
#   --build      always run `mvn -q -B package -DskipTests` first
#   --no-build   never build; fail if the jars are missing
#   (default)    build only when a jar is missing
# Environment:
#   DESTDIR                   stage into this directory instead of / (no user, no ownership, no systemctl)
#   TRAVERSE_SERVER_JAR_DIR   where traverse-server.jar and lib/ are (default turn-server/target)
#   TRAVERSE_CLI_JAR_DIR      where turn-cli.jar and lib/ are (default turn-cli/target)
#   TRAVERSE_CONFIG_TEMPLATE  the configuration to install (default conf/traverse.yaml)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DESTDIR="${DESTDIR:-}"
DESTDIR="${DESTDIR%/}"            # "/" means the live system, like empty
PREFIX=/opt/traverse
CONF_DIR=/etc/traverse
UNIT_DIR=/etc/systemd/system
CLI_LINK=/usr/local/bin/turn-cli
SERVICE_USER=traverse
USERS_FILE="$CONF_DIR/users"
SECRETS_FILE="$CONF_DIR/rest-secrets"

SERVER_DIR="${TRAVERSE_SERVER_JAR_DIR:-$ROOT/turn-server/target}"
CLI_DIR="${TRAVERSE_CLI_JAR_DIR:-$ROOT/turn-cli/target}"
CONFIG_TEMPLATE="${TRAVERSE_CONFIG_TEMPLATE:-$ROOT/conf/traverse.yaml}"
UNIT_SOURCE="$ROOT/systemd/traverse.service"
SYSCTL_SOURCE="$ROOT/systemd/60-traverse.conf"
SYSCTL_FILE=/etc/sysctl.d/60-traverse.conf

say() { printf 'install: %s\n' "$*"; }
warn() { printf 'install: warning: %s\n' "$*" >&2; }
die() { printf 'install: error: %s\n' "$*" >&2; exit 1; }

build=auto
while (($#)); do
    case "$1" in
        --build) build=yes ;;
        --no-build) build=no ;;
        -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) die "unknown option '$1' (try --help)" ;;
    esac
    shift
done

live=false
[[ -z "$DESTDIR" ]] && live=true
if $live && ((EUID != 0)); then
    die "installing into / needs root; run it with sudo, or set DESTDIR=<dir> to stage the files"
fi

# ---- build -------------------------------------------------------------------------------------------
jars_present() { [[ -f "$SERVER_DIR/traverse-server.jar" && -f "$CLI_DIR/turn-cli.jar" ]]; }
if [[ $build == yes ]] || { [[ $build == auto ]] && ! jars_present; }; then
    command -v mvn >/dev/null || die "Maven (mvn) is needed to build; or build elsewhere and pass --no-build"
    say "building with Maven"
    (cd "$ROOT" && mvn -q -B package -DskipTests)
fi
[[ -f "$SERVER_DIR/traverse-server.jar" ]] || die "missing $SERVER_DIR/traverse-server.jar (build with: mvn -B package -DskipTests)"
[[ -f "$CLI_DIR/turn-cli.jar" ]] || die "missing $CLI_DIR/turn-cli.jar (build with: mvn -B package -DskipTests)"
[[ -f "$UNIT_SOURCE" ]] || die "missing $UNIT_SOURCE"

# ---- helpers -----------------------------------------------------------------------------------------
# copy_if_changed SRC DEST MODE: copies (atomically) when DEST is missing or differs in content or mode;
# succeeds only when it copied.
copy_if_changed() {
    local src="$1" dest="$2" mode="$3"
    if [[ -f "$dest" && ! -L "$dest" ]] && cmp -s "$src" "$dest" \
            && [[ "$(stat -c %a "$dest")" == "${mode#0}" ]]; then
        return 1
    fi
    mkdir -p "$(dirname "$dest")"
    install -m "$mode" "$src" "$dest.tmp.$$"
    mv -f "$dest.tmp.$$" "$dest"
}

# install_file SRC DEST MODE: copy_if_changed, saying so.
install_file() {
    if copy_if_changed "$@"; then say "installed ${2#"$DESTDIR"}"; fi
}

# install_content DEST MODE < content
install_content() {
    local tmp
    tmp="$(mktemp)"
    cat >"$tmp"
    install_file "$tmp" "$1" "$2"
    rm -f "$tmp"
}

# sync_dir SRC DEST: DEST holds exactly the regular files of SRC (jars of the previous version go away).
sync_dir() {
    local src="$1" dest="$2" f copied=0 removed=0
    mkdir -p "$dest"
    if [[ -d "$src" ]]; then
        for f in "$src"/*; do
            if [[ -f "$f" ]] && copy_if_changed "$f" "$dest/$(basename "$f")" 0644; then
                copied=$((copied + 1))
            fi
        done
    fi
    for f in "$dest"/*; do
        if [[ -f "$f" && ! -e "$src/$(basename "$f")" ]]; then
            rm -f "$f"
            removed=$((removed + 1))
        fi
    done
    if ((copied + removed > 0)); then
        say "updated ${dest#"$DESTDIR"}/ ($copied installed, $removed removed)"
    fi
}

# own PATH: owner traverse on a live install (nothing to own in a staging tree).
own() {
    if $live; then chown "$SERVICE_USER:$SERVICE_USER" "$1"; fi
}

# rewrite_config SRC: prints SRC with auth.users-file and auth.rest-secrets-file set to the installed
# paths. Handles block-style YAML: keys present, commented out, or missing under `auth:`, or no `auth:`.
rewrite_config() {
    awk -v users="$USERS_FILE" -v secrets="$SECRETS_FILE" '
        function emit_missing() {
            if (!done_users) { print indent "users-file: " users; done_users = 1 }
            if (!done_secrets) { print indent "rest-secrets-file: " secrets; done_secrets = 1 }
        }
        BEGIN { indent = "  " }
        /^[^ \t#-][^:]*:/ {                      # a top-level key ends the previous section
            if (in_auth) { emit_missing(); in_auth = 0 }
            if ($0 ~ /^auth:/) {
                if ($0 !~ /^auth:[ \t]*(#.*)?$/) { bad = 1; exit 3 }
                in_auth = 1; seen_auth = 1; print; next
            }
        }
        in_auth && /^[ \t]+[^ \t#]/ && !have_indent {
            match($0, /^[ \t]+/); indent = substr($0, 1, RLENGTH); have_indent = 1
        }
        in_auth && /^[ \t]*(#[ \t]*)?users-file[ \t]*:/ {
            if (!done_users) { print indent "users-file: " users; done_users = 1 }
            next
        }
        in_auth && /^[ \t]*(#[ \t]*)?rest-secrets-file[ \t]*:/ {
            if (!done_secrets) { print indent "rest-secrets-file: " secrets; done_secrets = 1 }
            next
        }
        { print }
        END {
            if (bad) exit 3
            if (in_auth) emit_missing()
            if (!seen_auth) { print ""; print "auth:"; indent = "  "; emit_missing() }
        }
    ' "$1"
}

# ---- service account ---------------------------------------------------------------------------------
if $live; then
    if ! getent passwd "$SERVICE_USER" >/dev/null; then
        if getent group "$SERVICE_USER" >/dev/null; then group_opt=(--gid "$SERVICE_USER"); else group_opt=(--user-group); fi
        useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
            "${group_opt[@]}" "$SERVICE_USER"
        say "created system user $SERVICE_USER"
    fi
fi

# ---- program files -----------------------------------------------------------------------------------
D="$DESTDIR"
install_file "$SERVER_DIR/traverse-server.jar" "$D$PREFIX/lib/server/traverse-server.jar" 0644
install_file "$ROOT/conf/jvm.options" "$D$PREFIX/lib/server/jvm.options" 0644
sync_dir "$SERVER_DIR/lib" "$D$PREFIX/lib/server/lib"
install_file "$CLI_DIR/turn-cli.jar" "$D$PREFIX/lib/cli/turn-cli.jar" 0644
sync_dir "$CLI_DIR/lib" "$D$PREFIX/lib/cli/lib"

install_content "$D$PREFIX/bin/traverse" 0755 <<LAUNCHER
#!/bin/sh
# Traverse server launcher, installed by scripts/install.sh.
# exec: the JVM must *be* this process, so systemd's MAINPID (Type=notify, NotifyAccess=main) is the JVM.
# The shipped flags are in $PREFIX/lib/server/jvm.options; JAVA_OPTS (e.g. -Xmx, from /etc/traverse/traverse.env via
# the unit) comes after them, so it wins, and is split on whitespace.
if [ -n "\${JAVA_HOME:-}" ]; then JAVA="\$JAVA_HOME/bin/java"; else JAVA=java; fi
JAR=$PREFIX/lib/server/traverse-server.jar
# Class data sharing for the server's classes (AppCDS, as scripts/run.sh does; docs/operations.md): start-up reads
# them from an archive in \$STATE_DIRECTORY (/var/lib/traverse, the unit's StateDirectory=) or \$TRAVERSE_CDS_DIR,
# recorded by the first server run that stops cleanly and used from then on; a newer jar or JVM records it again.
# Not for --version/--help runs (they would record an archive of a few classes). TRAVERSE_CDS=off leaves it out.
CDS=
CDS_DIR="\${TRAVERSE_CDS_DIR:-\${STATE_DIRECTORY:-}}"
case " \$* " in *" --version "*|*" -V "*|*" --help "*|*" -h "*) CDS_DIR= ;; esac
if [ -n "\$CDS_DIR" ] && [ "\${TRAVERSE_CDS:-on}" != off ]; then
    ARCHIVE="\$CDS_DIR/traverse-server.jsa"
    LIBJVM="\$(dirname "\$(readlink -f "\$(command -v "\$JAVA")")")/../lib/server/libjvm.so"
    if [ -f "\$ARCHIVE" ] && [ "\$ARCHIVE" -nt "\$JAR" ] && [ "\$ARCHIVE" -nt "\$LIBJVM" ]; then
        CDS="-XX:SharedArchiveFile=\$ARCHIVE"
    elif [ -w "\$CDS_DIR" ]; then
        rm -f "\$ARCHIVE"
        CDS="-XX:ArchiveClassesAtExit=\$ARCHIVE -Xlog:cds=off -Xlog:cds+dynamic=off"
    fi
fi
# shellcheck disable=SC2086
exec "\$JAVA" -XX:+ExitOnOutOfMemoryError @$PREFIX/lib/server/jvm.options \$CDS \${JAVA_OPTS:-} -jar "\$JAR" "\$@"
LAUNCHER

install_content "$D$PREFIX/bin/turn-cli" 0755 <<LAUNCHER
#!/bin/sh
# Traverse CLI launcher, installed by scripts/install.sh. TURN_CLI_JAVA_OPTS is split on whitespace.
if [ -n "\${JAVA_HOME:-}" ]; then JAVA="\$JAVA_HOME/bin/java"; else JAVA=java; fi
# shellcheck disable=SC2086
exec "\$JAVA" \${TURN_CLI_JAVA_OPTS:-} -jar $PREFIX/lib/cli/turn-cli.jar "\$@"
LAUNCHER

if [[ -L "$D$CLI_LINK" && "$(readlink "$D$CLI_LINK")" == "$PREFIX/bin/turn-cli" ]]; then
    :
elif [[ -e "$D$CLI_LINK" || -L "$D$CLI_LINK" ]]; then
    warn "$CLI_LINK exists and is not ours; left alone (the CLI is $PREFIX/bin/turn-cli)"
else
    mkdir -p "$D$(dirname "$CLI_LINK")"
    ln -s "$PREFIX/bin/turn-cli" "$D$CLI_LINK"
    say "linked $CLI_LINK -> $PREFIX/bin/turn-cli"
fi

# ---- configuration and secrets (never overwritten) ---------------------------------------------------
if [[ ! -d "$D$CONF_DIR" ]]; then
    install -d -m 0750 "$D$CONF_DIR"
    if $live; then chown "root:$SERVICE_USER" "$D$CONF_DIR"; fi
    say "created $CONF_DIR"
fi

if [[ -e "$D$CONF_DIR/traverse.yaml" ]]; then
    say "kept existing $CONF_DIR/traverse.yaml"
else
    [[ -f "$CONFIG_TEMPLATE" ]] || die "missing configuration template $CONFIG_TEMPLATE"
    tmp="$(mktemp)"
    rewrite_config "$CONFIG_TEMPLATE" >"$tmp" \
        || { rm -f "$tmp"; die "cannot rewrite $CONFIG_TEMPLATE: 'auth:' must be a block mapping"; }
    if ! grep -q "^[[:space:]]*users-file: $USERS_FILE\$" "$tmp" \
            || ! grep -q "^[[:space:]]*rest-secrets-file: $SECRETS_FILE\$" "$tmp"; then
        rm -f "$tmp"
        die "rewriting the auth paths in $CONFIG_TEMPLATE failed"
    fi
    install -m 0640 "$tmp" "$D$CONF_DIR/traverse.yaml"
    rm -f "$tmp"
    if $live; then chown "root:$SERVICE_USER" "$D$CONF_DIR/traverse.yaml"; fi
    say "installed $CONF_DIR/traverse.yaml (auth.users-file=$USERS_FILE, auth.rest-secrets-file=$SECRETS_FILE)"
fi

if [[ -e "$D$USERS_FILE" ]]; then
    say "kept existing $USERS_FILE"
else
    (umask 077 && : >"$D$USERS_FILE.tmp.$$")
    own "$D$USERS_FILE.tmp.$$"
    mv "$D$USERS_FILE.tmp.$$" "$D$USERS_FILE"
    say "created empty $USERS_FILE (add users with: turn-cli user add ...)"
fi

if [[ -e "$D$SECRETS_FILE" ]]; then
    say "kept existing $SECRETS_FILE"
else
    (umask 077 && head -c 32 /dev/urandom | base64 -w 0 >"$D$SECRETS_FILE.tmp.$$" && echo >>"$D$SECRETS_FILE.tmp.$$")
    own "$D$SECRETS_FILE.tmp.$$"
    mv "$D$SECRETS_FILE.tmp.$$" "$D$SECRETS_FILE"
    say "generated a new TURN REST shared secret in $SECRETS_FILE"
fi
for f in "$D$USERS_FILE" "$D$SECRETS_FILE"; do
    if [[ -f "$f" && "$(stat -c %a "$f")" != 600 ]]; then
        warn "${f#"$D"} has mode $(stat -c %a "$f"); it holds credentials, consider chmod 600"
    fi
done

# ---- systemd unit ------------------------------------------------------------------------------------
unit="$D$UNIT_DIR/traverse.service"
before="$(cat "$unit" 2>/dev/null || true)"
install_file "$UNIT_SOURCE" "$unit" 0644
if $live && [[ "$before" != "$(cat "$unit")" ]] && [[ -d /run/systemd/system ]]; then
    systemctl daemon-reload
    say "ran systemctl daemon-reload"
fi

# ---- kernel socket buffer caps (never overwritten; applied at boot) ----------------------------------
if [[ -e "$D$SYSCTL_FILE" ]]; then
    say "kept existing $SYSCTL_FILE"
else
    mkdir -p "$D$(dirname "$SYSCTL_FILE")"
    install -m 0644 "$SYSCTL_SOURCE" "$D$SYSCTL_FILE"
    say "installed $SYSCTL_FILE (UDP buffer caps; apply now with: sysctl --system)"
fi

say "done. Start with: systemctl enable --now traverse.service"
