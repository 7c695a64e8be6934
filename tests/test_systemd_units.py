"""The unit files under systemd/: systemd's own checks, and the promises systemd/README.md makes."""

from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from nhc_scale.config import Settings

pytestmark = pytest.mark.integration  # systemd-analyze and the units run for real

REPO = Path(__file__).resolve().parents[1]
UNIT = REPO / "systemd" / "nhc-scale.service"
AVAHI = REPO / "systemd" / "avahi" / "nhc-scale.service"
SYSUSERS = REPO / "systemd" / "nhc-scale.sysusers"
EXEC = "/opt/nhc-scale/bin/nhc-scale"

needs_systemd_analyze = pytest.mark.skipif(
    shutil.which("systemd-analyze") is None,
    reason="systemd-analyze not installed (Debian package 'systemd'; .ci/run installs it)",
)


def unit_settings() -> dict[str, list[str]]:
    """Key -> every value it is given in [Service] (systemd allows repeats)."""
    values: dict[str, list[str]] = {}
    section = None
    for raw in UNIT.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line
            continue
        if section == "[Service]":
            key, _, value = line.partition("=")
            values.setdefault(key.strip(), []).append(value.strip())
    return values


def staged_unit(tmp_path: Path) -> Path:
    """The unit with ExecStart pointing at a stand-in: verify insists the program exists."""
    program = tmp_path / "nhc-scale"
    program.write_text("#!/bin/sh\nexit 0\n")
    program.chmod(0o755)
    unit = tmp_path / "nhc-scale.service"
    unit.write_text(UNIT.read_text().replace(EXEC, str(program)))
    return unit


def test_unit_parses_as_ini_with_the_three_sections():
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(UNIT.read_text())
    assert parser.sections() == ["Unit", "Service", "Install"]
    assert parser["Install"]["WantedBy"] == "multi-user.target"


@needs_systemd_analyze
def test_systemd_analyze_verify_is_clean(tmp_path):
    result = subprocess.run(
        ["systemd-analyze", "verify", str(staged_unit(tmp_path))],
        capture_output=True,
        text=True,
        timeout=60,
    )
    # Unknown or misspelt keys are only warnings to systemd, so stderr must be empty too.
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == ""


@needs_systemd_analyze
def test_systemd_analyze_verify_would_catch_a_typo(tmp_path):
    unit = staged_unit(tmp_path)
    unit.write_text(unit.read_text().replace("ProtectHome=yes", "ProtectHomme=yes"))
    result = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60
    )
    assert "ProtectHomme" in result.stderr


@needs_systemd_analyze
def test_security_exposure_stays_low(tmp_path):
    result = subprocess.run(
        ["systemd-analyze", "security", "--offline=true", "--no-pager", str(staged_unit(tmp_path))],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if "--offline" in result.stderr and "unrecognized" in result.stderr:
        pytest.skip("this systemd-analyze has no --offline (systemd < 250)")
    match = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", result.stdout)
    assert match, result.stdout + result.stderr
    # systemd/README.md quotes 1.8 ("OK") from systemd 252; fail on a real regression only.
    assert float(match.group(1)) <= 2.5, result.stdout


def test_notify_watchdog_and_restart():
    s = unit_settings()
    assert s["Type"] == ["notify"]
    assert s["NotifyAccess"] == ["main"]
    assert int(s["WatchdogSec"][0]) >= 10
    assert s["Restart"] == ["on-failure"]


def test_runs_as_its_own_user_with_gpio_access_and_only_the_port_80_capability():
    s = unit_settings()
    assert s["User"] == ["nhc-scale"]
    assert s["SupplementaryGroups"] == ["gpio"]
    # Plain http://nhc-scale.local: port 80, and the one capability that binding it takes.
    assert "--port 80" in s["ExecStart"][0]
    assert s["CapabilityBoundingSet"] == ["CAP_NET_BIND_SERVICE"]
    assert s["AmbientCapabilities"] == ["CAP_NET_BIND_SERVICE"]
    assert s["NoNewPrivileges"] == ["yes"]
    assert s["DevicePolicy"] == ["closed"]
    assert set(s["DeviceAllow"]) == {"/dev/gpiomem rw", "char-gpiochip rw"}


def test_realtime_limit_covers_the_default_priority():
    s = unit_settings()
    assert s["RestrictRealtime"] == ["no"]
    assert int(s["LimitRTPRIO"][0]) >= Settings.model_fields["realtime_priority"].default
    # The sampler pins itself; a unit-level CPU mask would fight it.
    assert "CPUAffinity" not in s and "AllowedCPUs" not in s


def test_the_open_files_limit_leaves_the_server_its_full_connection_cap():
    from nhc_scale.web.connections import MAX_CONNECTIONS, connection_cap

    limits = unit_settings()["LimitNOFILE"]
    assert len(limits) == 1
    soft = int(limits[0].split(":")[0])  # "soft:hard" or one value for both
    assert connection_cap(soft) == MAX_CONNECTIONS
    assert connection_cap(1024) < MAX_CONNECTIONS  # systemd's default would not do


def test_state_and_config_directories_match_the_settings():
    s = unit_settings()
    assert s["StateDirectory"] == ["nhc-scale"]
    assert s["ConfigurationDirectory"] == ["nhc-scale"]
    assert "NHC_STATE_DIR=%S/nhc-scale" in s["Environment"]
    assert s["WorkingDirectory"] == ["%S/nhc-scale"]  # lgpio writes its pipes into the cwd
    env_names = {value.split("=", 1)[0] for value in s["Environment"]}
    known = {"NHC_" + name.upper() for name in Settings.model_fields}
    assert {n for n in env_names if n.startswith("NHC_")} <= known


def test_hardening_that_the_readme_promises():
    s = unit_settings()
    for key in (
        "ProtectHome",
        "PrivateTmp",
        "ProtectClock",
        "ProtectHostname",
        "ProtectKernelTunables",
        "ProtectKernelModules",
        "ProtectKernelLogs",
        "ProtectControlGroups",
        "RestrictNamespaces",
        "RestrictSUIDSGID",
        "LockPersonality",
        "MemoryDenyWriteExecute",
        "PrivateIPC",
    ):
        assert s[key] == ["yes"], key
    assert s["ProtectSystem"] == ["strict"]
    assert s["RestrictAddressFamilies"] == ["AF_UNIX AF_INET AF_INET6"]
    assert s["PrivateDevices"] == ["no"]


def test_avahi_announces_http_on_the_server_port():
    tree = ET.parse(AVAHI)
    service = tree.getroot().find("service")
    assert service is not None
    assert service.findtext("type") == "_http._tcp"
    assert service.findtext("port") == "80"


def test_sysusers_declares_the_user_and_gpio_membership():
    lines = [
        line.split()
        for line in SYSUSERS.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines[0][:2] == ["u", "nhc-scale"]
    assert "/var/lib/nhc-scale" in lines[0]
    assert ["m", "nhc-scale", "gpio"] in lines


MDWE_CHILD = """
import ctypes, multiprocessing, sys
if ctypes.CDLL(None).prctl(66, 0, 0, 0, 0) != 1:
    sys.exit("MDWE is not in force")
import numpy, scipy.signal, fastapi, uvicorn, pydantic_settings, sqlite3
import nhc_scale.config, nhc_scale.sdnotify

assert ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int)(lambda x: x + 1)(41) == 42
scipy.signal.butter(4, 5.0, fs=80.0, output="sos")
sqlite3.connect(":memory:").execute("select 1")
def square(x):
    return x * x
if __name__ == "__main__":
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        assert pool.map(square, [3]) == [9]
    print("ok")
"""


def test_python_stack_runs_with_memory_deny_write_execute(tmp_path):
    """MemoryDenyWriteExecute=yes breaks any JIT; the kernel's PR_SET_MDWE enforces the same."""
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import ctypes,sys; sys.exit(ctypes.CDLL(None).prctl(65, 1, 0, 0, 0) != 0)",
        ],
        capture_output=True,
    )
    if probe.returncode != 0:
        pytest.skip("kernel without PR_SET_MDWE (Linux < 6.3)")
    script = tmp_path / "child.py"
    script.write_text(MDWE_CHILD)
    launcher = (
        "import ctypes, os, sys\n"
        "assert ctypes.CDLL(None).prctl(65, 1, 0, 0, 0) == 0\n"
        "os.execv(sys.executable, [sys.executable, sys.argv[1]])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", launcher, str(script)],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ.copy(),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("ok")
