#!/usr/bin/env bash
# Make the baselines' own virtual environments (never kgload's): morph-kgc 2.10 pins
# rdflib < 7.3 and pyoxigraph < 0.4; rdflib-neo4j gets its own too, so nothing it pulls in can
# change what kgload runs with. Idempotent: an existing venv is left as it is.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-python3}"

make_venv() {  # make_venv DIR PACKAGE...
  local dir="$1"; shift
  if [[ -x "$dir/bin/python" ]]; then
    echo "exists: $dir"
    return 0
  fi
  "$PY" -m venv "$dir"
  "$dir/bin/pip" install -q --upgrade pip
  "$dir/bin/pip" install -q "$@"
  echo "made: $dir ($("$dir/bin/pip" freeze | grep -iE "^($(IFS='|'; echo "${*//[<>=*]*/}"))" | tr '\n' ' '))"
}

make_venv "$HERE/.venv-morph" 'morph-kgc==2.10.*'
# rdflib-neo4j gets the driver's Rust packstream, as kgload's venv does (kgload[fast]): both
# loaders then talk to the server through the same driver and the same encoder.
make_venv "$HERE/.venv-rdflib-neo4j" 'rdflib-neo4j' 'neo4j-rust-ext'
"$HERE/.venv-rdflib-neo4j/bin/python" -c 'import neo4j._rust' 2>/dev/null \
  || "$HERE/.venv-rdflib-neo4j/bin/pip" install -q 'neo4j-rust-ext'  # a venv made before it was added
# Optional: the what-if libraries bench/profile_kgload.py --what-if fast-schema needs.
if [[ ! -d "$HERE/.whatif-libs/fastjsonschema" ]]; then
  "$HERE/../.venv/bin/pip" install -q --target "$HERE/.whatif-libs" 'fastjsonschema==2.22.*' || true
fi
