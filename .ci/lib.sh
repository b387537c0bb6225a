# Shell helpers shared by .ci/run, tools/run-demo and tools/odoo-env (sourced from the
# repository's root). The Python they use is the first of:
#   1. $PYTHON (default python3) when it imports Odoo 18.0: Odoo as you installed it;
#   2. the project's own virtual environment .venv/ (ignored by git), into which
#      ensure_odoo installs Odoo 18.0 Community from ODOO_SOURCE (a source tree, a source
#      archive or a URL) or from Odoo's official 18.0 source archive. Odoo's code is
#      never part of this repository: only this recipe is.

export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}"
export PGUSER="${PGUSER:-odoo}" PGPASSWORD="${PGPASSWORD:-odoo}"
BASE_PYTHON="${PYTHON:-python3}"
PYTHON="$BASE_PYTHON"
VENV="$PWD/.venv"
ADDONS="support_sla,support_sla_escalation"
ODOO_OFFICIAL_ARCHIVE="https://nightly.odoo.com/18.0/nightly/src/odoo_18.0.latest.tar.gz"
# What Odoo's requirements build against (psycopg2, python-ldap), on Debian or Ubuntu.
ODOO_BUILD_PACKAGES=(python3-venv python3-dev build-essential libpq-dev libldap2-dev
  libsasl2-dev curl ca-certificates)

step() { printf '\n=== %s\n' "$*"; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

pip_install() {
  # Old sdists pinned by Odoo's requirements still need pkg_resources to build: cap
  # setuptools in pip's build environments (PIP_BUILD_CONSTRAINT for pip >= 25.3, which
  # no longer applies PIP_CONSTRAINT there; PIP_CONSTRAINT for older pips).
  local constraints rc
  constraints=$(mktemp)
  echo 'setuptools<81' >"$constraints"
  PIP_CONSTRAINT="$constraints" PIP_BUILD_CONSTRAINT="$constraints" \
    "$PYTHON" -m pip install -q --disable-pip-version-check --root-user-action=ignore "$@"
  rc=$?
  rm -f "$constraints"
  return $rc
}

odoo_importable() { "$PYTHON" -c "import odoo.release" >/dev/null 2>&1; }

select_python() {
  # $PYTHON when it imports Odoo, else the project's .venv when there is one.
  PYTHON="$BASE_PYTHON"
  if ! odoo_importable && [ -x "$VENV/bin/python" ]; then
    PYTHON="$VENV/bin/python"
  fi
}
select_python

using_venv() { [ "$PYTHON" = "$VENV/bin/python" ]; }

apt_install_missing() {
  # Debian/Ubuntu packages, only those not installed yet (a second run installs nothing).
  local missing=() package
  command -v dpkg-query >/dev/null || {
    echo "Not Debian or Ubuntu: install these yourself if needed: $*"
    return 0
  }
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" ||
      missing+=("$package")
  done
  [ "${#missing[@]}" = 0 ] && return 0
  echo "apt-get install ${missing[*]}"
  as_root apt-get update -qq &&
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

ensure_venv() {
  # The project's virtual environment, when $PYTHON does not import Odoo.
  odoo_importable && return 0
  if [ ! -x "$VENV/bin/python" ]; then
    apt_install_missing python3-venv || return 1
    "$BASE_PYTHON" -m venv "$VENV" || return 1
  fi
  PYTHON="$VENV/bin/python"
}

odoo_source_reachable() {
  # Whether Odoo 18.0 can be installed here: ODOO_SOURCE, or the official archive online.
  [ -n "${ODOO_SOURCE:-}" ] ||
    curl -fsIL --max-time 20 -o /dev/null "$ODOO_OFFICIAL_ARCHIVE" 2>/dev/null
}

bootstrap_progress() {
  BOOTSTRAP_STEP=$((BOOTSTRAP_STEP + 1))
  printf '\n[Odoo 18.0 bootstrap %d/6, %ds] %s\n' "$BOOTSTRAP_STEP" \
    $((SECONDS - BOOTSTRAP_START)) "$*"
}

odoo_source_tree() {
  # Prints the Odoo source tree to install: ODOO_SOURCE's directory as it is, or an archive
  # (a file or a URL; by default Odoo's official one) unpacked under .venv/src/odoo.
  local source="${ODOO_SOURCE:-$ODOO_OFFICIAL_ARCHIVE}" archive tree="$VENV/src/odoo"
  if [ -d "$source" ]; then
    (cd "$source" && pwd -P)
    return
  fi
  if [ -f "$tree/odoo/release.py" ]; then
    echo "$tree"
    return
  fi
  mkdir -p "$VENV/src"
  archive="$source"
  if [[ "$source" == *://* ]]; then
    archive="$VENV/src/odoo-18.0-archive"
    echo "downloading $source" >&2
    curl -fL --retry 3 --progress-bar -o "$archive" "$source" >&2 || return 1
  fi
  [ -f "$archive" ] || {
    echo "ODOO_SOURCE=$source is neither a directory, nor an archive, nor a URL." >&2
    return 1
  }
  echo "unpacking $archive" >&2
  rm -rf "$tree.tmp" && mkdir -p "$tree.tmp"
  case "$archive" in
  *.zip) "$BASE_PYTHON" -m zipfile -e "$archive" "$tree.tmp" >&2 || return 1 ;;
  *) tar -xf "$archive" -C "$tree.tmp" || return 1 ;;
  esac
  # The archive's one top directory (odoo-18.0.post2025..., odoo-18.0, ...) becomes the tree.
  local top
  top=$(dirname "$(find "$tree.tmp" -maxdepth 3 -path '*/odoo/release.py' | head -n 1)")
  [ "$top" != . ] || {
    echo "No Odoo source tree (odoo/release.py) in $archive." >&2
    return 1
  }
  mv "$(dirname "$top")" "$tree" && rm -rf "$tree.tmp"
  [[ "$source" == *://* ]] && rm -f "$archive"
  echo "$tree"
}

ensure_odoo() {
  # Odoo 18.0 Community importable by $PYTHON: installed into .venv when it is not.
  odoo_importable && return 0
  BOOTSTRAP_START=$SECONDS BOOTSTRAP_STEP=0
  echo "$BASE_PYTHON does not import Odoo: installing Odoo 18.0 Community into $VENV" \
    "(a first run takes several minutes; later runs reuse it)."
  bootstrap_progress "system packages Odoo's requirements build against" \
    "(${ODOO_BUILD_PACKAGES[*]})"
  apt_install_missing "${ODOO_BUILD_PACKAGES[@]}" || return 1
  bootstrap_progress "virtual environment $VENV"
  ensure_venv || return 1
  bootstrap_progress "Odoo 18.0 source (${ODOO_SOURCE:-$ODOO_OFFICIAL_ARCHIVE})"
  local tree
  tree=$(odoo_source_tree) || return 1
  grep -q "^version_info = (18, 0," "$tree/odoo/release.py" || {
    echo "$tree is not Odoo 18.0 (odoo/release.py)." >&2
    return 1
  }
  bootstrap_progress "Odoo's Python requirements ($tree/requirements.txt; builds psycopg2 and python-ldap)"
  pip_install -r "$tree/requirements.txt" || return 1
  bootstrap_progress "Odoo itself (pip, editable: the source tree stays where it is)"
  # Editable in "compat" mode puts the source tree itself on sys.path, so `import odoo`
  # finds Odoo's own package (with its __init__.py) even though the OCA wheels create a
  # site-packages/odoo/addons/ of their own without one. Its requirements are above.
  pip_install --no-deps --config-settings editable_mode=compat -e "$tree" || return 1
  local found
  found=$("$PYTHON" -c "import os, odoo; print(os.path.realpath(odoo.__file__))" 2>/dev/null)
  if [ "$found" != "$(realpath "$tree/odoo/__init__.py")" ]; then
    echo "'import odoo' gives ${found:-nothing}, not $tree/odoo/__init__.py." >&2
    return 1
  fi
  bootstrap_progress "checked: $PYTHON imports Odoo $("$PYTHON" -c \
    'import odoo.release as r; print(r.version)') from $tree"
  echo "Odoo installed in $((SECONDS - BOOTSTRAP_START)) s."
}

ensure_postgres() {
  # PostgreSQL from Debian, listening on 127.0.0.1, with a superuser role for Odoo.
  if ! compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null; then
    step "installing PostgreSQL (Debian)"
    apt_install_missing postgresql || return 1
  fi
  local version
  version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
  if ! pg_lsclusters -h | awk '{print $1, $2}' | grep -qx "$version main"; then
    as_root pg_createcluster "$version" main >/dev/null
  fi
  as_root pg_ctlcluster "$version" main start 2>/dev/null || true
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

# As the postgres superuser over the local socket, whatever PG* says.
as_postgres() { (cd / && as_root runuser -u postgres -- env -u PGHOST -u PGUSER -u PGPASSWORD "$@"); }

ensure_chromium() {
  # Browser tours need Chromium and websocket-client: without them Odoo skips the tours
  # (a warning or "skipped" in the log), which .ci/run then counts as a failure.
  if ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null &&
    ! command -v google-chrome >/dev/null; then
    step "installing Chromium (Debian)"
    apt_install_missing chromium
  fi
  pip_install websocket-client || return 1
  command -v chromium >/dev/null || command -v chromium-browser >/dev/null ||
    command -v google-chrome >/dev/null
}

install_addon_dependencies() {
  # The OCA addons from PyPI. Their wheels require the `odoo` distribution; an Odoo
  # installed without pip metadata would make pip look for it on PyPI, so skip it then.
  # In .venv, done again only when test-requirements.txt changed.
  local stamp="$VENV/.test-requirements.installed"
  if using_venv && cmp -s test-requirements.txt "$stamp"; then
    return 0
  fi
  if "$PYTHON" -c "import importlib.metadata as m; m.version('odoo')" >/dev/null 2>&1; then
    pip_install -r test-requirements.txt || return 1
  else
    pip_install --no-deps -r test-requirements.txt || return 1
  fi
  if using_venv; then cp test-requirements.txt "$stamp"; fi
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
