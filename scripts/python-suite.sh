#!/usr/bin/env bash
# The Python suite (SPEC 7): builds the `sensei` wheel (crates/sensei-py) with maturin into a
# virtualenv and runs pytest over crates/sensei-py/tests and tests/python: the rules, the
# Scheduler on SQLite and PostgreSQL, a Flask app with the seed's SQLAlchemy models sharing
# one database with `sensei serve`, threads, and a bounded fuzz of every argument.
#
# Usage: scripts/python-suite.sh          (from anywhere; ends with `python: N passed, M failed`)
# Environment:
#   SENSEI_BIN                the sensei binary (default: built with cargo, target/debug/sensei)
#   SENSEI_TEST_POSTGRES_URL  PostgreSQL for the PostgreSQL tests (unset or unreachable: they
#                             are skipped, and the run says so loudly)
#   SENSEI_VENV               the virtualenv (default target/python-venv; reused while
#                             tests/python/requirements.txt is unchanged)
#   PYTEST_ARGS               extra pytest arguments (e.g. "-k shared -x")
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

say() { printf '\n[python] %s\n' "$*"; }

target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
venv=${SENSEI_VENV:-$target_dir/python-venv}
requirements=$root/tests/python/requirements.txt

# 1. The virtualenv with the pinned tools, rebuilt when the requirements change.
stamp=$venv/.requirements.sha256
wanted=$(sha256sum "$requirements" | cut -d' ' -f1)
if [[ ! -x $venv/bin/python || ! -f $stamp || $(cat "$stamp") != "$wanted" ]]; then
  say "installing the test requirements into $venv"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
  echo "$wanted" > "$stamp"
fi

# 2. The sensei binary the shared-database tests start.
if [[ -z ${SENSEI_BIN:-} ]]; then
  say "building the sensei binary"
  cargo build --quiet -p sensei-http --bin sensei
  SENSEI_BIN=$target_dir/debug/sensei
fi
[[ -x $SENSEI_BIN ]] || { echo "python-suite: no executable at $SENSEI_BIN (set SENSEI_BIN)" >&2; exit 2; }
export SENSEI_BIN

# 3. The wheel links the system's libsqlite3 (the one Python's sqlite3 module uses:
#    docs/python.md), so it needs its development files to build.
if ! pkg-config --exists sqlite3 2>/dev/null; then
  say "installing libsqlite3-dev (the wheel links the system's SQLite)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libsqlite3-dev pkg-config
fi

# 4. The wheel: a debug build (the workspace's compiled dependencies are reused), installed
#    as a user would install it. A distributable wheel: `maturin build --release` (docs/python.md).
say "building the sensei wheel (maturin, dev profile)"
wheels=$target_dir/python-wheels
rm -rf "$wheels"
"$venv/bin/maturin" build --quiet --profile dev --compatibility linux \
  -m crates/sensei-py/Cargo.toml --interpreter "$venv/bin/python" --out "$wheels"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "$wheels"/*.whl

# 5. pytest, and one closing line with the counts.
say "pytest crates/sensei-py/tests tests/python"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
# shellcheck disable=SC2086
"$venv/bin/python" -m pytest -q -p no:cacheprovider --import-mode=importlib ${PYTEST_ARGS:-} \
  crates/sensei-py/tests tests/python 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
summary=$(grep -E '(passed|failed|error|no tests ran)' "$log" | tail -n 1 || true)
count() { { grep -oE "[0-9]+ $1" <<<"$summary" || true; } | head -n 1 | cut -d' ' -f1; }
passed=$(count passed); failed=$(count failed); errors=$(count error)
passed=${passed:-0}; failed=$(( ${failed:-0} + ${errors:-0} ))
echo "python: $passed passed, $failed failed"
# 5 is pytest's "no tests collected": a suite that ran nothing has failed.
exit "$status"
