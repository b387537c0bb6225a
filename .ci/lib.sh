# Shell helpers shared by .ci/run and tools/run-demo. Odoo itself is never
# installed here: these scripts use the Odoo 18.0 that `python3` imports.

export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}"
export PGUSER="${PGUSER:-odoo}" PGPASSWORD="${PGPASSWORD:-odoo}"
PYTHON="${PYTHON:-python3}"
ADDONS="support_sla,support_sla_escalation"

step() { printf '\n=== %s\n' "$*"; }

pip_install() {
  # Old sdists pinned by Odoo's requirements still need pkg_resources to build.
  local constraints
  constraints=$(mktemp)
  echo 'setuptools<81' >"$constraints"
  PIP_CONSTRAINT="$constraints" "$PYTHON" -m pip install -q --disable-pip-version-check \
    --root-user-action=ignore "$@"
  rm -f "$constraints"
}

odoo_importable() { "$PYTHON" -c "import odoo.release" >/dev/null 2>&1; }

# As the postgres superuser over the local socket, whatever PG* says.
as_postgres() { (cd / && runuser -u postgres -- env -u PGHOST -u PGUSER -u PGPASSWORD "$@"); }

ensure_postgres() {
  # PostgreSQL from Debian, listening on 127.0.0.1, with a superuser role for Odoo.
  if ! compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null; then
    step "installing PostgreSQL (Debian)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  local version
  version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
  if ! pg_lsclusters -h | awk '{print $1, $2}' | grep -qx "$version main"; then
    pg_createcluster "$version" main >/dev/null
  fi
  pg_ctlcluster "$version" main start 2>/dev/null || true
  for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p "$PGPORT" && break
    sleep 1
  done
  pg_isready -h 127.0.0.1 -p "$PGPORT"
  if ! as_postgres psql -d postgres -p "$PGPORT" -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$PGUSER'" |
    grep -q 1; then
    as_postgres psql -d postgres -p "$PGPORT" -qc \
      "CREATE ROLE \"$PGUSER\" SUPERUSER LOGIN PASSWORD '$PGPASSWORD'"
  fi
}

ensure_chromium() {
  # Browser tours need Chromium and websocket-client: without them Odoo skips the tours
  # (a warning or "skipped" in the log), which .ci/run then counts as a failure.
  if ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null &&
    ! command -v google-chrome >/dev/null; then
    step "installing Chromium (Debian)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
  pip_install websocket-client || return 1
  command -v chromium >/dev/null || command -v chromium-browser >/dev/null ||
    command -v google-chrome >/dev/null
}

install_addon_dependencies() {
  # The OCA addons from PyPI. Their wheels require the `odoo` distribution; an Odoo
  # installed without pip metadata would make pip look for it on PyPI, so skip it then.
  if "$PYTHON" -c "import importlib.metadata as m; m.version('odoo')" >/dev/null 2>&1; then
    pip_install -r test-requirements.txt
  else
    pip_install --no-deps -r test-requirements.txt
  fi
}

addons_path() {
  # Odoo's own addons path, plus this repository.
  "$PYTHON" - "$PWD" <<'PY'
import sys

from odoo.tools import config

config.parse_config([])
print(",".join([*config["addons_path"].split(","), sys.argv[1]]))
PY
}

odoo_run() { "$PYTHON" -m odoo --db_host "$PGHOST" --db_port "$PGPORT" --db_user "$PGUSER" \
  --db_password "$PGPASSWORD" --addons-path "$(addons_path)" "$@"; }

database_exists() { psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$1'" | grep -q 1; }
