#!/bin/sh
# Create or update the project's virtual environment in .venv with the given extras.
# Debian and Raspberry Pi OS mark the system Python as externally managed (PEP 668), so
# everything goes into a venv; python3-venv is installed first where it is missing.
set -eu
cd "$(dirname "$0")/.."
extras="${1:-}"

if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    echo "python3-venv is missing; installing it with apt" >&2
    if [ "$(id -u)" -eq 0 ]; then
        apt-get update -qq && apt-get install -y -qq python3-venv
    else
        sudo apt-get update -qq && sudo apt-get install -y -qq python3-venv
    fi
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
# constraints.txt: the versions the tests passed with (scripts/update-constraints.sh makes it).
if [ -n "$extras" ]; then
    .venv/bin/python -m pip install --quiet -c constraints.txt -e ".[$extras]"
else
    .venv/bin/python -m pip install --quiet -c constraints.txt -e .
fi
