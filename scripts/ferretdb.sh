#!/usr/bin/env bash
# FerretDB 1.24.2 (a MongoDB-wire-compatible server) for running the MongoDB backend's tests
# locally and in CI, with no MongoDB installed.
#
#   scripts/ferretdb.sh build   build .ci/work/bin/ferretdb from the Go module (skipped when that
#                               version is already built)
#   scripts/ferretdb.sh start   build if needed, start it on 127.0.0.1 on a free port with the SQLite
#                               handler and its state in a fresh directory under .ci/work, wait until
#                               it answers, and print   TESSERA_MONGO_URL=mongodb://127.0.0.1:PORT/
#                               (so: eval "$(scripts/ferretdb.sh start)"); prints the running
#                               instance's URL when one is already up
#   scripts/ferretdb.sh stop    stop it and delete its state directory
#   scripts/ferretdb.sh status  print the URL and exit 0 when running, exit 1 otherwise
#
# Environment: FERRETDB_PIDFILE (default .ci/work/ferretdb.pid) lets several instances coexist.
#
# Why not `go install github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.2`: the Go proxy refuses to
# list the module's versions here, so the build goes through a throw-away module that requires
# FerretDB v1.24.2. Built that way the binary panics at start-up: FerretDB's build/version package
# embeds build/version/version.txt (produced by FerretDB's own release tooling, absent from the
# module zip) and insists on it when FerretDB is the binary's main module. So the module source is
# copied from the Go module cache into the build directory, version.txt is written there, and the
# throw-away module `replace`s FerretDB with that copy. Nothing is changed in the module cache.
set -euo pipefail

VERSION=v1.24.2
MODULE=github.com/FerretDB/FerretDB

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$ROOT/.ci/work"
BIN="$WORK/bin/ferretdb"
BUILD_DIR="$WORK/ferretdb-build"
PIDFILE="${FERRETDB_PIDFILE:-$WORK/ferretdb.pid}"
URLFILE="$PIDFILE.url"
STATEFILE="$PIDFILE.state"

log() { echo "ferretdb.sh: $*" >&2; }
die() {
  log "$*"
  exit 1
}

built_version_ok() {
  # Read the whole output before matching: with pipefail, `--version | grep -q` fails whenever
  # grep exits at its match while the binary is still writing (SIGPIPE), i.e. at random.
  local out
  [[ -x "$BIN" ]] && out="$("$BIN" --version 2>/dev/null)" && grep -qx "version: $VERSION" <<<"$out"
}

cmd_build() {
  if built_version_ok; then
    log "FerretDB $VERSION already built at $BIN"
    return 0
  fi
  command -v go >/dev/null || die "Go is not installed (needed to build FerretDB)"
  log "building FerretDB $VERSION into $BIN (this takes a few minutes the first time)"
  rm -rf "$BUILD_DIR"
  mkdir -p "$BUILD_DIR" "$(dirname "$BIN")"
  cd "$BUILD_DIR"
  cat >go.mod <<EOF
module tessera/ferretdb-build

go 1.24

require $MODULE $VERSION
EOF
  cat >tools.go <<'EOF'
//go:build tools

package tools

import _ "github.com/FerretDB/FerretDB/cmd/ferretdb"
EOF
  # Resolve and download FerretDB and its dependencies (fills go.sum).
  GOFLAGS=-mod=mod go mod tidy >&2
  local src
  src="$(GOFLAGS=-mod=mod go list -m -f '{{.Dir}}' "$MODULE")"
  [[ -n "$src" && -d "$src" ]] || die "cannot locate $MODULE $VERSION in the Go module cache"
  cp -R "$src" src
  chmod -R u+w src
  echo "$VERSION" >src/build/version/version.txt
  go mod edit -replace "$MODULE=./src"
  GOFLAGS=-mod=mod go build -o "$BIN.tmp" "$MODULE/cmd/ferretdb" >&2
  mv -f "$BIN.tmp" "$BIN"
  built_version_ok || die "the built binary does not report version $VERSION"
  log "built $("$BIN" --version | head -1)"
}

running_pid() {
  [[ -f "$PIDFILE" ]] || return 1
  local pid
  pid="$(cat "$PIDFILE")"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close();});"
}

# Exit 0 once something answers the MongoDB wire protocol on 127.0.0.1:$1.
answers() {
  (cd "$ROOT" && node -e "
    const { MongoClient } = require('mongodb');
    const c = new MongoClient('mongodb://127.0.0.1:$1/', { serverSelectionTimeoutMS: 1000, connectTimeoutMS: 1000 });
    c.db('admin').command({ ping: 1 }).then(() => c.close().then(() => process.exit(0)), () => process.exit(1));
  ") >/dev/null 2>&1
}

cmd_start() {
  local pid
  if pid="$(running_pid)"; then
    log "already running (pid $pid)"
    cat "$URLFILE"
    return 0
  fi
  cmd_build
  mkdir -p "$WORK"
  local state port
  state="$(mktemp -d "$WORK/ferretdb-state.XXXXXX")"
  mkdir -p "$state/data"
  for attempt in 1 2 3; do
    port="$(free_port)"
    # setsid: the server outlives this script and is not hit by the caller's Ctrl-C.
    setsid "$BIN" \
      --handler=sqlite \
      --sqlite-url="file:$state/data/" \
      --state-dir="$state" \
      --listen-addr="127.0.0.1:$port" \
      --debug-addr=- \
      --telemetry=disable \
      --log-level=WARN \
      >"$state/ferretdb.log" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$PIDFILE"
    echo "$state" >"$STATEFILE"
    for _ in $(seq 1 100); do
      if answers "$port"; then
        echo "TESSERA_MONGO_URL=mongodb://127.0.0.1:$port/" | tee "$URLFILE"
        log "FerretDB $VERSION (SQLite handler) on 127.0.0.1:$port, pid $pid, state in $state"
        return 0
      fi
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    log "attempt $attempt: FerretDB did not answer on port $port:"
    tail -n 20 "$state/ferretdb.log" >&2 || true
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -f "$PIDFILE" "$STATEFILE"
  die "could not start FerretDB"
}

cmd_stop() {
  local pid
  if pid="$(running_pid)"; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
    log "stopped FerretDB (pid $pid)"
  else
    log "not running"
  fi
  if [[ -f "$STATEFILE" ]]; then
    local state
    state="$(cat "$STATEFILE")"
    # Only ever delete a state directory this script created.
    [[ "$state" == "$WORK"/ferretdb-state.* ]] && rm -rf "$state"
  fi
  rm -f "$PIDFILE" "$URLFILE" "$STATEFILE"
}

cmd_status() {
  local pid
  if pid="$(running_pid)"; then
    cat "$URLFILE"
    return 0
  fi
  return 1
}

case "${1:-}" in
  build) cmd_build ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *)
    echo "usage: $0 build|start|stop|status" >&2
    exit 2
    ;;
esac
