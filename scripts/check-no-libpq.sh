#!/usr/bin/env bash
# Checks that `sensei` builds on a machine without PostgreSQL's client library: hides the
# system libpq (shared and static library, pkg-config file, headers) by bind-mounting
# /dev/null over each file in a private mount namespace (only this script's processes see
# it; nothing on the machine is moved), proves the hiding works (linking a C program with
# -lpq fails), then builds the default configuration (libpq built from source,
# `postgres-bundled`) and the SQLite-only one (`--no-default-features --features sqlite`)
# from scratch in their own target directory.
#
# Needs root (or unprivileged user namespaces: run under `unshare -r`). Run from the
# repository root:  scripts/check-no-libpq.sh [TARGET_DIR]   (default /tmp/sensei-no-libpq)
set -euo pipefail
cd "$(dirname "$0")/.."
target="${1:-/tmp/sensei-no-libpq}"

if [ "${SENSEI_IN_NAMESPACE:-}" != 1 ]; then
  exec env SENSEI_IN_NAMESPACE=1 unshare --mount --propagation private "$0" "$@"
fi

hidden=0
for file in /usr/lib/*/libpq.so* /usr/lib/*/libpq.a /usr/lib/libpq.so* \
            /usr/lib/*/pkgconfig/libpq.pc /usr/include/postgresql/libpq-fe.h \
            /usr/include/libpq-fe.h; do
  [ -e "$file" ] || continue
  mount --bind /dev/null "$file"
  hidden=$((hidden + 1))
done
echo "hid $hidden libpq files"

printf 'int PQlibVersion(void);\nint main(void) { return PQlibVersion() > 0 ? 0 : 1; }\n' > "$target.c" 2>/dev/null || {
  mkdir -p "$(dirname "$target")"
  printf 'int PQlibVersion(void);\nint main(void) { return PQlibVersion() > 0 ? 0 : 1; }\n' > "$target.c"
}
if cc "$target.c" -o "$target.probe" -lpq 2>/dev/null; then
  echo "libpq is still reachable by the linker: the check would prove nothing" >&2
  exit 1
fi
echo "ok: the system libpq cannot be linked"
rm -f "$target.c" "$target.probe"

echo "==> default features (libpq built from source)"
CARGO_TARGET_DIR="$target" cargo build --locked -p sensei-http --bin sensei
echo "==> SQLite only"
CARGO_TARGET_DIR="$target" cargo build --locked -p sensei-http --bin sensei --no-default-features --features sqlite
echo "ok: both configurations build without the system libpq"
