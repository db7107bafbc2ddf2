#!/usr/bin/env bash
# Install what the benchmarks compare against (the `bench` extra), then the OPA binding, whose
# releases declare Python >= 3.14 but work on 3.11: pip must be told to ignore that marker.
# A peer that fails to install is reported by `benchmarks/run.py` in its table, with the reason;
# this script goes on past such a failure.
set -uo pipefail
cd "$(dirname "$0")/.."

python -m pip install --disable-pip-version-check -e ".[bench]" || {
    echo "setup: the bench extra did not install whole; trying each peer alone" >&2
    for pkg in duckdb cel-python common-expression-language rule-engine pyinstrument; do
        python -m pip install --disable-pip-version-check "$pkg" || echo "setup: $pkg did not install" >&2
    done
}
python -m pip install --disable-pip-version-check --ignore-requires-python opa-golib-python-bindings \
    || echo "setup: opa-golib-python-bindings did not install" >&2
