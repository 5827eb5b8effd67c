# shellcheck shell=bash
# Shared provisioning for scripts/dev, scripts/test and scripts/services: installs what is missing
# (Python deps, redis-server, FerretDB) and starts the services on free loopback ports.
# Source it; it defines functions only.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUN_DIR="${RUN_DIR:-$ROOT/.run}"
VENV="$ROOT/.venv"
FERRETDB_VERSION="v1.24.2"
TOOLS_DIR="${BULK_TOOLS_DIR:-$HOME/.cache/bulk-actions/bin}"
PIDS=()

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

ensure_python() {
    local stamp="$VENV/.installed" want
    want="$(sha256sum "$ROOT/pyproject.toml" | cut -d' ' -f1)"
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then return; fi
    log "installing Python packages into $VENV"
    [[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --upgrade pip
    "$VENV/bin/pip" install -q -e "$ROOT[dev]"
    echo "$want" > "$stamp"
}

# A folder's npm packages, installed from its lockfile when the lockfile changed.
npm_packages() {
    local dir="$1" what="$2" stamp want
    stamp="$dir/node_modules/.installed"
    want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
    if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
        log "installing $what's npm packages"
        (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
        echo "$want" > "$stamp"
    fi
}

# A folder's npm packages, then its bundle (esbuild, `npm run build`) into dist/ when its
# sources changed; bundles are not committed.
npm_bundle() {
    local dir="$1" built="$2" what="$3"
    npm_packages "$dir" "$what"
    if [[ ! -f "$dir/dist/$built" ]] || [[ -n "$(find "$dir/src" -newer "$dir/dist/$built")" ]]; then
        (cd "$dir" && npm run --silent build >/dev/null 2>&1) || { log "$what's build failed"; return 1; }
    fi
}

# The dashboard's script (served at /dashboard).
ensure_dashboard() { npm_bundle "$ROOT/server/dashboard" app.js "the dashboard"; }

# GraphiQL's page script and styles (served at /graphql, nothing from a CDN).
ensure_graphiql() { npm_bundle "$ROOT/server/graphiql" graphiql.js "GraphiQL"; }

# npm clients nobody here wrote (graphql-http's audit…), for the conformance tests.
ensure_conformance() { npm_packages "$ROOT/tests/conformance" "the conformance tests"; }

# Debian's Chromium and its driver, for the dashboard's browser test.
ensure_browser() {
    command -v chromedriver >/dev/null && command -v chromium >/dev/null && return
    log "installing chromium and chromium-driver from Debian's packages"
    apt_install chromium chromium-driver
}

apt_install() {
    local sudo=""
    [[ "$(id -u)" == 0 ]] || sudo="sudo"
    $sudo apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "$@" >/dev/null
}

ensure_redis() {
    command -v redis-server >/dev/null && return
    log "installing redis-server from Debian's packages"
    apt_install redis-server
}

# FerretDB $FERRETDB_VERSION, exported as FERRETDB_BIN: the first that passes ferretdb_check of
# FERRETDB_BIN (if set), this project's own build in $TOOLS_DIR, and each `ferretdb` on PATH;
# else built once into $TOOLS_DIR. Never by `go install`: the module's source lacks the version
# file its build embeds, and a binary built without it panics at start, in GOPATH/bin, where
# every later run would find it first. The project's build carries FERRETDB_PATCHES, and its
# folder says which (their hash): a build of other patches, or of none, is built again. The
# binary keeps its name, `ferretdb`, which its process is known by (bench/cost counts the
# database's CPU by process name).
FERRETDB_PATCHES=("$ROOT/scripts/ferretdb-id-in-pushdown.patch")

ferretdb_build_dir() {
    echo "$TOOLS_DIR/$FERRETDB_VERSION-$(cat "${FERRETDB_PATCHES[@]}" | sha256sum | cut -c1-12)"
}

ensure_ferretdb() {
    local candidate why built
    built="$(ferretdb_build_dir)/ferretdb"
    for candidate in "${FERRETDB_BIN:-}" "$built" $(type -ap ferretdb); do
        [[ -n "$candidate" && -x "$candidate" ]] || continue
        if why="$(ferretdb_check "$candidate")"; then
            export FERRETDB_BIN="$candidate"
            log "using FerretDB at $FERRETDB_BIN"
            return
        fi
        log "not using $candidate: $why"
    done
    build_ferretdb "$built" || return 1
    export FERRETDB_BIN="$built"
    why="$(ferretdb_check "$FERRETDB_BIN")" || { log "the FerretDB just built fails: $why"; return 1; }
    log "using FerretDB at $FERRETDB_BIN (built)"
}

# Succeeds if the binary says it is $FERRETDB_VERSION and then starts and listens (on SQLite in
# a scratch folder, for a moment); else prints why not.
ferretdb_check() {
    local bin="$1" said scratch port pid up=no
    said="$("$bin" --version 2>&1)" || true
    if ! grep -q "version: $FERRETDB_VERSION\$" <<<"$said"; then
        echo "it is not FerretDB $FERRETDB_VERSION (--version: $(head -n 1 <<<"$said"))"
        return 1
    fi
    scratch="$(mktemp -d)" port="$(free_port)"
    "$bin" --handler=sqlite "--sqlite-url=file:$scratch/" "--state-dir=$scratch" \
        "--listen-addr=127.0.0.1:$port" --telemetry=disable --debug-addr=- >"$scratch/log" 2>&1 &
    pid=$!
    for _ in $(seq 1 100); do
        if port_open "$port"; then up=yes; break; fi
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    [[ "$up" == yes ]] || echo "it does not start: $(grep -v '^\s*$' "$scratch/log" | tail -n 3)"
    rm -rf "$scratch"
    [[ "$up" == yes ]]
}

# The module's exact source from the Go module proxy, with FERRETDB_PATCHES applied, built with
# the version file its build expects into a temporary name first, then moved to $1: an
# interrupted build leaves nothing that can be found.
build_ferretdb() {
    local into="$1" tmp src patch
    command -v go >/dev/null || { log "FerretDB needs the Go toolchain"; return 1; }
    log "building FerretDB $FERRETDB_VERSION with go into $into (once, a few minutes)"
    tmp="$(mktemp -d)"
    (cd "$tmp" && go mod init ferretdb-build >/dev/null 2>&1)
    src="$(cd "$tmp" && go mod download -json "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')" || { rm -rf "$tmp"; return 1; }
    cp -r "$src" "$tmp/src" && chmod -R u+w "$tmp/src"
    for patch in "${FERRETDB_PATCHES[@]}"; do
        # git apply, not patch(1): git is here wherever this repository is; patch may not be.
        if ! (cd "$tmp/src" && git apply "$patch"); then
            rm -rf "$tmp"
            log "patching FerretDB with $patch failed"
            return 1
        fi
    done
    echo "$FERRETDB_VERSION" > "$tmp/src/build/version/version.txt"
    mkdir -p "$(dirname "$into")"
    if ! (cd "$tmp/src" && go build -trimpath -o "$into.$$" ./cmd/ferretdb); then
        rm -rf "$tmp" "$into.$$"
        log "building FerretDB failed"
        return 1
    fi
    mv -f "$into.$$" "$into"
    rm -rf "$tmp"
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

port_open() {
    python3 -c "import socket; socket.create_connection(('127.0.0.1',$1),0.2).close()" 2>/dev/null
}

# Waits for a service just started (pid) to listen; if it exits or does not listen within
# 30 s, says so with the last lines of its log, so the failure names its cause.
wait_port() {
    local port="$1" name="$2" pid="$3" log_file="$4"
    for _ in $(seq 1 150); do
        port_open "$port" && return
        if ! kill -0 "$pid" 2>/dev/null; then
            log "$name exited before listening on port $port"
            break
        fi
        sleep 0.2
    done
    log "$name did not start on port $port; the end of $log_file:"
    tail -n 30 "$log_file" | sed 's/^/    /' >&2
    return 1
}

# Each start of the services has a folder of its own, $RUN_DIR/runs/<time>-<pid>: logs/, one
# file a service, kept after the run for reading (runs whose script has ended are pruned to
# the newest 10), and scratch/, the throwaway data of tests and benchmarks, removed at stop.
open_run() {
    local old
    THIS_RUN="$RUN_DIR/runs/$(date +%Y%m%d-%H%M%S)-$$"
    LOGS="$THIS_RUN/logs" SCRATCH="$THIS_RUN/scratch"
    mkdir -p "$LOGS" "$SCRATCH"
    for old in $(ls -1d "$RUN_DIR"/runs/*/ 2>/dev/null | sort -r | tail -n +11); do
        old="${old%/}"
        kill -0 "${old##*-}" 2>/dev/null || rm -rf "$old"
    done
    log "this run's logs: $LOGS"
}

start_redis() {
    if [[ -n "${REDIS_URL:-}" ]]; then log "using Redis at $REDIS_URL"; return; fi
    ensure_redis
    local port dir persist=no; port="$(free_port)"
    dir="$SCRATCH/redis"
    # With DATA_DIR the queue and limits survive a restart: an append-only file there.
    if [[ -n "${DATA_DIR:-}" ]]; then dir="$DATA_DIR/redis"; persist=yes; fi
    mkdir -p "$dir"
    setpriv --pdeathsig TERM redis-server --bind 127.0.0.1 --port "$port" --save "" --appendonly "$persist" \
        --dir "$dir" --logfile "$LOGS/redis.log" >>"$LOGS/redis.log" 2>&1 &
    PIDS+=($!)
    wait_port "$port" Redis "$!" "$LOGS/redis.log"
    export REDIS_URL="redis://127.0.0.1:$port/0"
    log "Redis on $REDIS_URL"
}

# PostgreSQL from Debian's packages, for FerretDB's postgresql handler; sets POSTGRES_URL.
start_postgres() {
    local bin port data as=() durability
    bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
    if [[ -z "$bin" ]]; then
        log "installing postgresql from Debian's packages"
        apt_install postgresql
        bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
    fi
    port="$(free_port)"
    # Throwaway (tests, benchmarks): a new data directory, no fsync. With DATA_DIR (scripts/dev):
    # one kept there, made once, written safely.
    data="$SCRATCH/postgres" durability=(-c fsync=off -c synchronous_commit=off)
    if [[ -n "${DATA_DIR:-}" ]]; then data="$DATA_DIR/postgres" durability=(); fi
    mkdir -p "$data"
    # initdb and postgres refuse to run as root.
    if [[ "$(id -u)" == 0 ]]; then chown -R postgres "$data"; as=(runuser -u postgres --); fi
    if [[ ! -f "$data/PG_VERSION" ]]; then
        "${as[@]}" "$bin/initdb" -D "$data" -A trust -U postgres >"$LOGS/initdb.log" 2>&1 \
            || { log "initdb failed:"; tail -n 20 "$LOGS/initdb.log" >&2; return 1; }
    fi
    setpriv --pdeathsig TERM "${as[@]}" "$bin/postgres" -D "$data" -p "$port" -k "$data" -c listen_addresses=127.0.0.1 \
        "${durability[@]}" >"$LOGS/postgres.log" 2>&1 &
    PIDS+=($!)
    wait_port "$port" PostgreSQL "$!" "$LOGS/postgres.log"
    for _ in $(seq 1 50); do
        "${as[@]}" "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -tAc "select 1" >/dev/null 2>&1 && break
        sleep 0.2
    done
    if ! "${as[@]}" "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -tAc \
        "select 1 from pg_database where datname = 'ferretdb'" | grep -q 1; then
        "${as[@]}" "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres ferretdb
    fi
    "${as[@]}" "$bin/psql" -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d ferretdb \
        -f "$ROOT/scripts/ferretdb-indexes.sql" >/dev/null 2>&1
    POSTGRES_URL="postgres://postgres@127.0.0.1:$port/ferretdb"
}

# A real mongod wins whenever MONGODB_URL points at one; otherwise FerretDB, on PostgreSQL
# (Debian's) or, with FERRETDB_BACKEND=sqlite, on SQLite. PostgreSQL is the default: FerretDB
# v1 cannot use its own indexes and on SQLite scans the collection for every filter (100,000
# documents: about 800 ms); on PostgreSQL scripts/ferretdb-indexes.sql gives its indexes
# twins that its equality filters can use.
start_mongo() {
    if [[ -n "${MONGODB_URL:-}" ]]; then log "using MongoDB at $MONGODB_URL"; return; fi
    ensure_ferretdb
    local port data backend; port="$(free_port)"
    data="${DATA_DIR:+$DATA_DIR/ferretdb}"
    data="${data:-$SCRATCH/ferretdb}"
    mkdir -p "$data"
    if [[ "${FERRETDB_BACKEND:-postgresql}" == postgresql ]]; then
        start_postgres
        backend=(--handler=postgresql "--postgresql-url=$POSTGRES_URL")
    else
        backend=(--handler=sqlite "--sqlite-url=file:$data/")
    fi
    setpriv --pdeathsig TERM "$FERRETDB_BIN" "${backend[@]}" --state-dir="$data" \
        --listen-addr="127.0.0.1:$port" --telemetry=disable --log-level=WARN \
        --debug-addr=- >"$LOGS/ferretdb.log" 2>&1 &
    PIDS+=($!)
    wait_port "$port" FerretDB "$!" "$LOGS/ferretdb.log"
    export MONGODB_URL="mongodb://127.0.0.1:$port/"
    log "FerretDB on $MONGODB_URL (data in $data)"
}

# Stops what was started, newest first: the API and workers finish before Redis and the
# database they talk to go away. Then the run's throwaway data goes.
stop_all() {
    local i pid
    for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
        pid="${PIDS[i]}"
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    [[ -z "${SCRATCH:-}" ]] || rm -rf "$SCRATCH"
}

start_services() {
    open_run
    # Every process started from here writes its metrics to one new directory; a scrape of
    # the API's /metrics adds them up (prometheus_client's multi-process mode).
    if [[ -z "${PROMETHEUS_MULTIPROC_DIR:-}" ]]; then
        export PROMETHEUS_MULTIPROC_DIR="$SCRATCH/metrics"
        mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
    fi
    trap stop_all EXIT
    trap 'exit 130' INT TERM
    start_redis
    start_mongo
}
