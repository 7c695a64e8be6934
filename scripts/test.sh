#!/bin/sh
# Set up (first time) and run every check: ruff (lint and format), mypy, then the whole test
# suite. npm installs axe-core for the page's accessibility tests (.ci/axe).
# As root it also installs the Debian packages the tests drive (.ci/apt-packages.txt:
# Chromium for the phone page, systemd-analyze for the units, shellcheck for the installer).
set -eu
cd "$(dirname "$0")/.."
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    missing=""
    while read -r package; do
        case "$package" in ""|"#"*) continue ;; esac
        dpkg -s "$package" >/dev/null 2>&1 || missing="$missing $package"
    done < .ci/apt-packages.txt
    if [ -n "$missing" ]; then
        echo "installing Debian packages for the tests:$missing" >&2
        apt-get update -qq
        # shellcheck disable=SC2086 # one word per package
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
    fi
fi
sh scripts/setup-venv.sh test
# axe-core for the phone page's accessibility tests (tests/test_page_axe.py), from its lock file.
if [ ! -f .ci/axe/node_modules/axe-core/axe.min.js ]; then
    if ! command -v npm >/dev/null && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
        echo "installing npm for axe-core" >&2
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm || true
    fi
    if ! (cd .ci/axe && npm ci --no-audit --no-fund); then
        echo "npm could not install axe-core: the accessibility tests use the copy in the" \
            "axe-playwright-python wheel" >&2
    fi
fi
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
exec .venv/bin/python -m pytest "$@"
