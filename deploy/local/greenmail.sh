#!/usr/bin/env bash
# A real IMAP/SMTP server for the IMAP intake tests: GreenMail standalone from Maven Central
# (com.icegreen:greenmail-standalone, Apache-2.0, Java 17), on loopback only.
#
#   deploy/local/greenmail.sh start|stop|status|fetch
#
# The jar is fetched through mvn into .stack/greenmail/ (ignored) on first use. IMAP listens on
# 127.0.0.1:$LEXSTREAM_GREENMAIL_IMAP_PORT (3143), SMTP on $LEXSTREAM_GREENMAIL_SMTP_PORT (3025);
# GreenMail's REST API (8080 by default, the gateway's port) is moved to
# $LEXSTREAM_GREENMAIL_API_PORT (3180). Users are created on first login (any password works
# for a new user: greenmail.auth.disabled), as a test makes its own mailbox per run.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)
VERSION=${LEXSTREAM_GREENMAIL_VERSION:-2.1.13}
DIR="$ROOT/.stack/greenmail"
JAR="$DIR/greenmail-standalone-$VERSION.jar"
PID_FILE="$DIR/greenmail.pid"
LOG="$DIR/greenmail.log"
IMAP_PORT=${LEXSTREAM_GREENMAIL_IMAP_PORT:-3143}
SMTP_PORT=${LEXSTREAM_GREENMAIL_SMTP_PORT:-3025}
API_PORT=${LEXSTREAM_GREENMAIL_API_PORT:-3180}
MVN=${LEXSTREAM_STACK_MVN:-mvn}

log() { printf '[greenmail] %s\n' "$*" >&2; }
die() {
    log "$*"
    exit 1
}
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

running_pid() {
    [[ -f $PID_FILE ]] || return 1
    local pid
    pid=$(cat "$PID_FILE")
    if kill -0 "$pid" 2>/dev/null && grep -q greenmail "/proc/$pid/cmdline" 2>/dev/null; then
        echo "$pid"
        return 0
    fi
    rm -f "$PID_FILE"
    return 1
}

fetch() {
    [[ -f $JAR ]] && return 0
    command -v java >/dev/null || die "java not found (apt-get install openjdk-17-jre-headless)"
    command -v "$MVN" >/dev/null || die "mvn not found (apt-get install maven)"
    mkdir -p "$DIR"
    log "fetching greenmail-standalone $VERSION from Maven Central"
    "$MVN" -q -B dependency:copy \
        -Dartifact="com.icegreen:greenmail-standalone:$VERSION" \
        -DoutputDirectory="$DIR" -Dmaven.repo.local="$DIR/m2" >"$DIR/fetch.log" 2>&1 ||
        die "maven could not fetch greenmail-standalone $VERSION (see $DIR/fetch.log)"
    [[ -f $JAR ]] || die "the jar is not where it was fetched to: $JAR"
}

start() {
    if pid=$(running_pid); then
        log "already running (pid $pid), IMAP 127.0.0.1:$IMAP_PORT"
        return 0
    fi
    for port in "$IMAP_PORT" "$SMTP_PORT" "$API_PORT"; do
        port_open "$port" && die "port $port is in use by another process"
    done
    fetch
    # setsid: its own process group, so that stop ends exactly what start began
    setsid java -Xmx256m \
        -Dgreenmail.hostname=127.0.0.1 \
        -Dgreenmail.smtp.hostname=127.0.0.1 -Dgreenmail.smtp.port="$SMTP_PORT" \
        -Dgreenmail.imap.hostname=127.0.0.1 -Dgreenmail.imap.port="$IMAP_PORT" \
        -Dgreenmail.api.hostname=127.0.0.1 -Dgreenmail.api.port="$API_PORT" \
        -Dgreenmail.auth.disabled \
        -Dgreenmail.verbose=false \
        -jar "$JAR" >"$LOG" 2>&1 &
    echo $! >"$PID_FILE"
    for _ in $(seq 1 120); do
        if port_open "$IMAP_PORT"; then
            log "started (pid $(cat "$PID_FILE")), IMAP 127.0.0.1:$IMAP_PORT, SMTP 127.0.0.1:$SMTP_PORT"
            return 0
        fi
        running_pid >/dev/null || die "greenmail exited at start (see $LOG)"
        sleep 0.5
    done
    die "greenmail did not open IMAP on 127.0.0.1:$IMAP_PORT within 60 s (see $LOG)"
}

stop() {
    local pid
    if ! pid=$(running_pid); then
        log "not running"
        return 0
    fi
    kill -TERM "-$pid" 2>/dev/null || kill -TERM "$pid"
    for _ in $(seq 1 40); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.25
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    rm -f "$PID_FILE"
    log "stopped"
}

status() {
    if pid=$(running_pid) && port_open "$IMAP_PORT"; then
        echo "greenmail running (pid $pid), IMAP 127.0.0.1:$IMAP_PORT, SMTP 127.0.0.1:$SMTP_PORT"
    else
        echo "greenmail not running"
        return 1
    fi
}

case "${1:-}" in
start) start ;;
stop) stop ;;
status) status ;;
fetch) fetch ;;
*) die "usage: $0 start|stop|status|fetch" ;;
esac
