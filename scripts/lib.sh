# shellcheck shell=bash
# Shared provisioning for scripts/dev and scripts/test: installs what is missing
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

# FerretDB's module proxy refuses the version list that `go install pkg@v` asks for, so we
# download the exact module version and build it, writing the version file its build expects.
ensure_ferretdb() {
    FERRETDB_BIN="$(command -v ferretdb || true)"
    [[ -n "$FERRETDB_BIN" ]] && return
    FERRETDB_BIN="$TOOLS_DIR/ferretdb"
    [[ -x "$FERRETDB_BIN" ]] && return
    command -v go >/dev/null || { log "FerretDB needs the Go toolchain"; return 1; }
    if "$(go env GOPATH)/bin/ferretdb" --version >/dev/null 2>&1; then
        FERRETDB_BIN="$(go env GOPATH)/bin/ferretdb"
        return
    fi
    log "building FerretDB $FERRETDB_VERSION with go (once)"
    if GOFLAGS=-mod=mod go install "github.com/FerretDB/FerretDB/cmd/ferretdb@$FERRETDB_VERSION" 2>/dev/null \
        && [[ -x "$(go env GOPATH)/bin/ferretdb" ]] \
        && "$(go env GOPATH)/bin/ferretdb" --version >/dev/null 2>&1; then
        mkdir -p "$TOOLS_DIR" && cp "$(go env GOPATH)/bin/ferretdb" "$FERRETDB_BIN"
        return
    fi
    local tmp src
    tmp="$(mktemp -d)"
    (cd "$tmp" && go mod init ferretdb-build >/dev/null 2>&1)
    src="$(cd "$tmp" && go mod download -json "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')"
    cp -r "$src" "$tmp/src" && chmod -R u+w "$tmp/src"
    echo "$FERRETDB_VERSION" > "$tmp/src/build/version/version.txt"
    mkdir -p "$TOOLS_DIR"
    (cd "$tmp/src" && go build -o "$FERRETDB_BIN" ./cmd/ferretdb)
    rm -rf "$tmp"
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

wait_port() {
    local port="$1" name="$2"
    for _ in $(seq 1 150); do
        if python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$port),0.2)" 2>/dev/null; then
            return
        fi
        sleep 0.2
    done
    log "$name did not start on port $port"; return 1
}

start_redis() {
    if [[ -n "${REDIS_URL:-}" ]]; then log "using Redis at $REDIS_URL"; return; fi
    ensure_redis
    local port dir persist=no; port="$(free_port)"
    dir="$RUN_DIR/redis"
    # With DATA_DIR the queue and limits survive a restart: an append-only file there.
    if [[ -n "${DATA_DIR:-}" ]]; then dir="$DATA_DIR/redis"; persist=yes; fi
    mkdir -p "$dir"
    setpriv --pdeathsig TERM redis-server --bind 127.0.0.1 --port "$port" --save "" --appendonly "$persist" \
        --dir "$dir" --logfile "$RUN_DIR/redis.log" &
    PIDS+=($!)
    wait_port "$port" redis
    export REDIS_URL="redis://127.0.0.1:$port/0"
    log "redis on $REDIS_URL"
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
    data="$RUN_DIR/postgres-$port" durability=(-c fsync=off -c synchronous_commit=off)
    if [[ -n "${DATA_DIR:-}" ]]; then data="$DATA_DIR/postgres" durability=(); fi
    mkdir -p "$data"
    # initdb and postgres refuse to run as root.
    if [[ "$(id -u)" == 0 ]]; then chown -R postgres "$data"; as=(runuser -u postgres --); fi
    if [[ ! -f "$data/PG_VERSION" ]]; then
        "${as[@]}" "$bin/initdb" -D "$data" -A trust -U postgres >/dev/null
    fi
    setpriv --pdeathsig TERM "${as[@]}" "$bin/postgres" -D "$data" -p "$port" -k "$data" -c listen_addresses=127.0.0.1 \
        "${durability[@]}" >"$RUN_DIR/postgres.log" 2>&1 &
    PIDS+=($!)
    wait_port "$port" PostgreSQL
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
    data="${data:-$RUN_DIR/ferretdb-$port}"
    mkdir -p "$data"
    if [[ "${FERRETDB_BACKEND:-postgresql}" == postgresql ]]; then
        start_postgres
        backend=(--handler=postgresql "--postgresql-url=$POSTGRES_URL")
    else
        backend=(--handler=sqlite "--sqlite-url=file:$data/")
    fi
    setpriv --pdeathsig TERM "$FERRETDB_BIN" "${backend[@]}" --state-dir="$data" \
        --listen-addr="127.0.0.1:$port" --telemetry=disable --log-level=WARN \
        --debug-addr=- >"$RUN_DIR/ferretdb.log" 2>&1 &
    PIDS+=($!)
    wait_port "$port" FerretDB
    export MONGODB_URL="mongodb://127.0.0.1:$port/"
    log "FerretDB on $MONGODB_URL (data in $data)"
}

# Stops what was started, newest first: the API and workers finish before Redis and the
# database they talk to go away.
stop_all() {
    local i pid
    for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
        pid="${PIDS[i]}"
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
}

start_services() {
    mkdir -p "$RUN_DIR"
    # Every process started from here writes its metrics to one new directory; a scrape of
    # the API's /metrics adds them up (prometheus_client's multi-process mode).
    if [[ -z "${PROMETHEUS_MULTIPROC_DIR:-}" ]]; then
        export PROMETHEUS_MULTIPROC_DIR="$RUN_DIR/metrics-$$"
        rm -rf "$PROMETHEUS_MULTIPROC_DIR" && mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
    fi
    trap stop_all EXIT
    trap 'exit 130' INT TERM
    start_redis
    start_mongo
}
