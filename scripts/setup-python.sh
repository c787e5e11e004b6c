#!/usr/bin/env bash
# Creates the Python virtualenv the tests and benchmarks use (default .venv, override with
# TESSERA_VENV) and installs the pinned Python tools into it. Idempotent: a venv that already
# has every pinned version is left untouched. Prints the venv's python path on success.
set -euo pipefail

cd "$(dirname "$0")/.."
VENV="${TESSERA_VENV:-.venv}"
PYTHON="${PYTHON:-python3}"

PINS=(
  'taxii2-client==2.3.0'
  'stix2-validator==3.3.2'
  'medallion==3.0.0'
  'gunicorn==27.0.1'
  'stix2==3.0.2'
)

if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
VPY="$VENV/bin/python"

# Install only when some pin is not satisfied (keeps reruns fast and offline-friendly).
if ! "$VPY" - "${PINS[@]}" <<'PY'
import sys
from importlib.metadata import PackageNotFoundError, version

for pin in sys.argv[1:]:
    name, want = pin.split("==")
    try:
        if version(name) != want:
            sys.exit(1)
    except PackageNotFoundError:
        sys.exit(1)
PY
then
  "$VPY" -m pip install --quiet --disable-pip-version-check "${PINS[@]}"
fi

# Fail loudly if anything is still not importable.
"$VPY" - <<'PY'
import importlib
for mod in ("taxii2client", "stix2validator", "medallion", "gunicorn", "stix2"):
    importlib.import_module(mod)
PY

abs="$(cd "$VENV" && pwd)/bin/python"
echo "$abs"
