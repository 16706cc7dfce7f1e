#!/usr/bin/env bash
# Run the non-browser suite with every direct dependency at the lowest release series setup.cfg
# allows (``name>=X`` installed as ``name==X.*``), in .venv-low. Not part of scripts/test.sh:
# run it after changing a lower bound. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
[ -x .venv-low/bin/python ] || "$PYTHON" -m venv .venv-low
.venv-low/bin/python -m pip install -q --disable-pip-version-check --upgrade pip packaging

LOW=.venv-low/lower-bounds.txt
.venv-low/bin/python - > "$LOW" <<'PY'
import configparser
from packaging.requirements import Requirement

config = configparser.ConfigParser()
config.read("setup.cfg")
for line in config["options"]["install_requires"].splitlines():
    line = line.split("#", 1)[0].strip()
    if not line:
        continue
    req = Requirement(line)
    low = next((s.version for s in req.specifier if s.operator in (">=", "==")), None)
    if low is None:
        raise SystemExit(f"{req.name} has no lower bound in setup.cfg")
    extras = f"[{','.join(sorted(req.extras))}]" if req.extras else ""
    print(f"{req.name}{extras}=={low}.*")
PY
echo "== lower bounds:"; cat "$LOW"
# The pins are constraints too, so that the test extras cannot lift them.
sed 's/\[[^]]*\]//' "$LOW" > .venv-low/constraints.txt
.venv-low/bin/python -m pip install -q --disable-pip-version-check -r "$LOW" -c .venv-low/constraints.txt
.venv-low/bin/python -m pip install -q --disable-pip-version-check -e '.[test]' -c .venv-low/constraints.txt
echo "== installed:"; .venv-low/bin/python -m pip freeze --exclude-editable | grep -iE "^($(sed -E 's/(\[|==).*//' "$LOW" | paste -sd'|'))=="
CI=true .venv-low/bin/python -m pytest -q --ignore=tests/browser "$@"
