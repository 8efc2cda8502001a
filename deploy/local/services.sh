#!/usr/bin/env bash
# Start, stop and inspect the five lexstream services as local processes.
#   services.sh start [service...]   start (default: all) and wait until each is healthy
#   services.sh stop [service...]    stop exactly the processes this script started
#   services.sh status
# Pid files in .stack/run/svc-<name>.pid, logs in .stack/logs/svc-<name>.log.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RUN="$ROOT/.stack/run"
LOGS="$ROOT/.stack/logs"
mkdir -p "$RUN" "$LOGS" "$ROOT/.lexstream"

ALL=(index ocr transcribe ingest gateway)
declare -A PORT=([ingest]=8081 [gateway]=8080 [ocr]=8091 [transcribe]=8092 [index]=8093)

admin_key() {
  if [[ -n "${LEXSTREAM_BOOTSTRAP_ADMIN_KEY:-}" ]]; then
    printf '%s' "$LEXSTREAM_BOOTSTRAP_ADMIN_KEY"
    return
  fi
  local file="$ROOT/.lexstream/admin-key"
  if [[ ! -s "$file" ]]; then
    (umask 077 && python3 -c 'import secrets; print(secrets.token_urlsafe(32))' > "$file")
  fi
  tr -d '\n' < "$file"
}

# The service credential the gateway sends to ingest's internal API, generated once like the
# admin key (LEXSTREAM_INGEST_TOKEN wins where set).
ingest_token() {
  if [[ -n "${LEXSTREAM_INGEST_TOKEN:-}" ]]; then
    printf '%s' "$LEXSTREAM_INGEST_TOKEN"
    return
  fi
  local file="$ROOT/.lexstream/ingest-token"
  if [[ ! -s "$file" ]]; then
    (umask 077 && python3 -c 'import secrets; print(secrets.token_urlsafe(32))' > "$file")
  fi
  tr -d '\n' < "$file"
}

pid_of() { local f="$RUN/svc-$1.pid"; [[ -f "$f" ]] && cat "$f" || true; }
alive() { local pid; pid="$(pid_of "$1")"; [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; }

wait_healthy() {
  local name=$1 port=${PORT[$1]} deadline=$((SECONDS + ${2:-180}))
  until curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; do
    if ! alive "$name"; then
      echo "lexstream $name exited; last log lines:" >&2
      tail -n 30 "$LOGS/svc-$name.log" >&2 || true
      return 1
    fi
    if (( SECONDS > deadline )); then
      echo "lexstream $name not healthy in time; last log lines:" >&2
      tail -n 30 "$LOGS/svc-$name.log" >&2 || true
      return 1
    fi
    sleep 0.5
  done
}

start_one() {
  local name=$1
  if alive "$name"; then echo "$name already running (pid $(pid_of "$name"))"; return; fi
  local key token
  key="$(admin_key)"
  token="$(ingest_token)"
  (
    cd "$ROOT"
    export LEXSTREAM_BOOTSTRAP_ADMIN_KEY="$key"
    export LEXSTREAM_INGEST_TOKEN="$token"
    export LEXSTREAM_HEALTH_PORT="${PORT[$name]}"
    exec setsid "$ROOT/.venv/bin/python" -m "lexstream.$name" >>"$LOGS/svc-$name.log" 2>&1 < /dev/null
  ) &
  echo $! > "$RUN/svc-$name.pid"
}

stop_one() {
  local name=$1 pid
  pid="$(pid_of "$name")"
  if [[ -z "$pid" ]]; then return; fi
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$RUN/svc-$name.pid"
  echo "stopped $name"
}

cmd=${1:-status}; shift || true
services=("$@"); [[ ${#services[@]} -eq 0 ]] && services=("${ALL[@]}")
case "$cmd" in
  start)
    for s in "${services[@]}"; do start_one "$s"; done
    for s in "${services[@]}"; do wait_healthy "$s" 300; echo "lexstream $s healthy on 127.0.0.1:${PORT[$s]}"; done
    ;;
  stop)
    for (( i=${#services[@]}-1; i>=0; i-- )); do stop_one "${services[$i]}"; done
    ;;
  status)
    for s in "${services[@]}"; do
      if alive "$s"; then echo "$s running pid=$(pid_of "$s") port=${PORT[$s]}"; else echo "$s stopped"; fi
    done
    ;;
  admin-key) admin_key; echo ;;
  *) echo "usage: $0 start|stop|status|admin-key [service...]" >&2; exit 2 ;;
esac
