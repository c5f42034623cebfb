# Shared shell helpers for scripts/start and scripts/test. Source it; do not run it.
set -euo pipefail

TESSERA_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$TESSERA_ROOT/.venv"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Print the path of a Python >= 3.12 interpreter, or fail saying where we looked.
# pyenv shims such as a bare `python3.13` exit non-zero when that version is not
# selected, so every candidate is asked to prove its version before we trust it.
find_python() {
  local candidates=()
  [ -n "${TESSERA_PYTHON:-}" ] && candidates+=("$TESSERA_PYTHON")
  if command -v pyenv >/dev/null 2>&1; then
    local v
    for v in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.(1[2-9]|[2-9][0-9])(\.|$)' | sort -rV); do
      candidates+=("$(pyenv prefix "$v" 2>/dev/null)/bin/python3")
    done
  fi
  candidates+=(python3.14 python3.13 python3.12 /usr/bin/python3.13 /usr/bin/python3.12 /usr/local/bin/python3.13 /usr/local/bin/python3.12 python3)
  local c
  for c in "${candidates[@]}"; do
    if "$c" -c 'import sys, venv; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then
      "$c" -c 'import sys; print(sys.executable)'
      return 0
    fi
  done
  die "no Python 3.12 or newer found (tried: ${candidates[*]}). Install one (e.g. 'apt-get install python3.12' or 'pyenv install 3.13') or set TESSERA_PYTHON=/path/to/python3.12+"
}

# Create .venv with a 3.12+ interpreter (recreating one made with an older Python)
# and install the given requirement files. Re-runs are quick: pip skips what is there.
ensure_venv() {
  if [ -x "$VENV/bin/python" ] && ! "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
    say "existing .venv uses Python < 3.12; recreating it"
    rm -rf "$VENV"
  fi
  if [ ! -x "$VENV/bin/python" ]; then
    local py
    py="$(find_python)"
    say "creating .venv with $py"
    "$py" -m venv "$VENV"
  fi
  say "installing $*"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
  local args=()
  local f
  for f in "$@"; do args+=(-r "$TESSERA_ROOT/$f"); done
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${args[@]}"
}

# True when something accepts TCP connections on 127.0.0.1:$1.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") >/dev/null 2>&1; }

apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "need to install $* but apt-get is not available"
  say "installing $* with apt-get"
  if [ -z "${_TESSERA_APT_UPDATED:-}" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    _TESSERA_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# Make sure PostgreSQL listens on 127.0.0.1:5432, installing and starting it if needed.
ensure_postgres() {
  port_open 5432 && return 0
  command -v pg_ctlcluster >/dev/null 2>&1 || apt_install postgresql
  local version
  version="$(ls /etc/postgresql | sort -V | tail -n 1)"
  say "starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  local i
  for i in $(seq 1 30); do port_open 5432 && break; sleep 1; done
  port_open 5432 || die "PostgreSQL did not start on 127.0.0.1:5432"
  # A fresh Debian cluster only trusts local socket peers: let the test role in over TCP.
  su postgres -c "psql -qc \"ALTER USER postgres PASSWORD 'postgres'\"" >/dev/null 2>&1 || true
}

# Make sure Redis listens on 127.0.0.1:6379, installing and starting it if needed.
ensure_redis() {
  port_open 6379 && return 0
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server
  say "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/tessera.log
  local i
  for i in $(seq 1 20); do port_open 6379 && break; sleep 0.5; done
  port_open 6379 || die "Redis did not start on 127.0.0.1:6379"
}

# Install the test-only npm tooling (axe-core for the browser suite's accessibility checks)
# exactly as package-lock.json pins it. `npm ci` wipes node_modules on every run, so it only
# runs when the lock file changed since the last install (a stamp holds its checksum).
ensure_node_modules() {
  command -v npm >/dev/null 2>&1 || apt_install nodejs npm
  local stamp="$TESSERA_ROOT/node_modules/.tessera-lock.sha256"
  local want
  want="$(sha256sum "$TESSERA_ROOT/package-lock.json" | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  say "npm ci: test tooling pinned in package-lock.json"
  (cd "$TESSERA_ROOT" && npm ci --no-audit --no-fund --loglevel=error)
  printf '%s\n' "$want" >"$stamp"
}
