#!/bin/sh
# Regenerate constraints.txt: the exact versions the test suite passed with, which
# scripts/setup-venv.sh and scripts/install-pi.sh install (`pip install -c constraints.txt`), so
# a Pi set up next year gets what was tested. Run it after changing a dependency in
# pyproject.toml, then run scripts/test.sh before committing both.
set -eu
cd "$(dirname "$0")/.."
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
python3 -m venv "$scratch/venv"
"$scratch/venv/bin/python" -m pip install --quiet --upgrade pip
"$scratch/venv/bin/python" -m pip install --quiet ".[test,plot,hub]"
{
    echo "# The versions the tests passed with: made by scripts/update-constraints.sh, do not edit."
    echo "# Python $("$scratch/venv/bin/python" -c 'import platform; print(platform.python_version())'), $(date -u +%Y-%m-%d)."
    "$scratch/venv/bin/python" -m pip freeze --exclude-editable | grep -v '^nhc-scale[= @]' || true
    # Only installable on a Pi, so not in the freeze above: the versions the stand-ins follow.
    echo "RPi.GPIO==0.7.1"
    echo "lgpio==0.2.2.0"
} > constraints.txt
echo "wrote constraints.txt ($(grep -vc '^#' constraints.txt) packages)"
