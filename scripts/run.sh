#!/bin/sh
# Set up (first time) and run the appliance (web service on port 8000): on the HX711 if one
# is wired, else on the emulated sensor driven by the synthetic athlete.
set -eu
cd "$(dirname "$0")/.."
extras=""
# The GPIO libraries only build and make sense on a Raspberry Pi.
if grep -qs "Raspberry Pi" /proc/device-tree/model; then
    extras="pi"
fi
sh scripts/setup-venv.sh "$extras"
exec .venv/bin/nhc-scale serve "$@"
