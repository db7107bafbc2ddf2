#!/usr/bin/env bash
# Run the whole test suite twice, in two fresh virtual environments outside the checkout:
#   lowest  the minimum versions pyproject.toml declares for attrs, cattrs, lark and PyYAML;
#   newest  the newest releases of those four from the package index.
# Every other tool comes from constraints.txt in both, so a difference between the two runs is
# the runtime dependencies' doing. Run it before moving a lower bound, and now and then to see
# an upstream release coming on purpose rather than by surprise:
#
#   bash scripts/check-dependency-bounds.sh            # both
#   bash scripts/check-dependency-bounds.sh lowest     # or one of them
#
# Exit status: 0 when every requested run passes.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
python=${PYTHON:-python3}
runs=("$@")
[ ${#runs[@]} -gt 0 ] || runs=(lowest newest)

# The minimum of each range in pyproject.toml (dependencies and the yaml extra).
lowest() {
    "$python" - <<'EOF'
import re, tomllib
project = tomllib.load(open("pyproject.toml", "rb"))["project"]
for spec in project["dependencies"] + project["optional-dependencies"]["yaml"]:
    name, low = re.fullmatch(r"([A-Za-z0-9_.-]+)>=([0-9.]+)", spec).groups()
    print(f"{name}=={low}")
EOF
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
runtime='^(attrs|cattrs|lark|pyyaml)=='
grep -viE "$runtime" constraints.txt >"$work/others.txt"
status=0
summary=()
for run in "${runs[@]}"; do
    venv="$work/$run"
    "$python" -m venv "$venv"
    case "$run" in
        lowest) lowest >"$work/$run.txt" ;;
        newest) : >"$work/$run.txt" ;;
        *) echo "unknown run '$run' (lowest or newest)" >&2; exit 2 ;;
    esac
    cat "$work/others.txt" >>"$work/$run.txt"
    echo "== $run: installing"
    if ! "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade \
        -e ".[dev]" -c "$work/$run.txt"; then
        summary+=("$run: install failed")
        status=1
        continue
    fi
    versions=$("$venv/bin/python" -c "
from importlib.metadata import version
print(', '.join(f'{n} {version(n)}' for n in ('attrs', 'cattrs', 'lark', 'PyYAML')))")
    echo "== $run: $versions"
    if (cd "$root" && "$venv/bin/python" -m pytest -p no:cacheprovider 2>&1 | tee "$work/$run.log" | tail -n 3); then
        result=$(tail -n 1 "$work/$run.log")
    else
        result="FAILED: $(tail -n 1 "$work/$run.log")"
        status=1
    fi
    summary+=("$run ($versions): $result")
done
printf '%s\n' "${summary[@]}"
exit $status
