"""scripts/install-pi.sh in --root mode: what it writes, that a second run changes nothing,
that the boot files stay valid, and that uninstall keeps the data unless told to purge."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from nhc_scale.config import Settings, load_settings

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "install-pi.sh"

PI_CMDLINE = (
    "console=serial0,115200 console=tty1 root=PARTUUID=4e639091-02 rootfstype=ext4 "
    "fsck.repair=yes rootwait quiet splash plymouth.ignore-serial-consoles\n"
)
# Sections as on a fresh Raspberry Pi OS image; the file ends inside a model filter and
# without a final newline, the worst place to append to.
PI_CONFIG = "dtparam=audio=on\n\n[cm4]\notg_mode=1\n\n[all]\n\n[cm5]\ndtoverlay=dwc2,dr_mode=host"

# Commands that would change the machine; in --root mode none may run.
HOST_COMMANDS = (
    "apt-get",
    "apt-cache",
    "systemctl",
    "systemd-sysusers",
    "hostnamectl",
    "useradd",
    "userdel",
    "usermod",
    "groupadd",
)


@pytest.fixture
def spy_path(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """A PATH whose host-changing commands only record that they were called."""
    bin_dir = tmp_path / "spy-bin"
    bin_dir.mkdir()
    log = tmp_path / "host-commands.log"
    for name in HOST_COMMANDS:
        spy = bin_dir / name
        spy.write_text(f'#!/bin/sh\necho "{name} $*" >> "{log}"\n')
        spy.chmod(0o755)
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return env, log


@pytest.fixture
def pi_root(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    (root / "boot" / "firmware").mkdir(parents=True)
    (root / "boot" / "firmware" / "cmdline.txt").write_text(PI_CMDLINE)
    (root / "boot" / "firmware" / "config.txt").write_text(PI_CONFIG)
    (root / "etc").mkdir()
    (root / "etc" / "hostname").write_text("raspberrypi\n")
    (root / "etc" / "hosts").write_text("127.0.0.1\tlocalhost\n127.0.1.1\traspberrypi\n")
    return root


def run(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        ["bash", str(SCRIPT), *args], capture_output=True, text=True, env=env, timeout=60
    )
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def install(
    env: dict[str, str], root: Path, *extra: str, check: bool = True
) -> subprocess.CompletedProcess[str]:
    return run(env, "--root", str(root), "--no-venv", *extra, check=check)


def snapshot(root: Path) -> dict[str, str]:
    state = {}
    for path in sorted(root.rglob("*")):
        key = str(path.relative_to(root))
        if path.is_symlink():
            state[key] = "-> " + os.readlink(path)
        elif path.is_file():
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            state[key] = f"{oct(path.stat().st_mode & 0o777)} {digest}"
    return state


def cmdline(root: Path) -> str:
    return (root / "boot" / "firmware" / "cmdline.txt").read_text()


def backups(root: Path) -> list[Path]:
    return sorted((root / "boot" / "firmware").glob("*.nhc-scale-backup-*"))


def test_install_writes_units_avahi_user_and_config(spy_path, pi_root):
    env, log = spy_path
    install(env, pi_root)
    assert (pi_root / "etc/systemd/system/nhc-scale.service").read_text() == (
        REPO / "systemd/nhc-scale.service"
    ).read_text()
    assert (pi_root / "etc/avahi/services/nhc-scale.service").read_text() == (
        REPO / "systemd/avahi/nhc-scale.service"
    ).read_text()
    assert (pi_root / "usr/lib/sysusers.d/nhc-scale.conf").is_file()
    wants = pi_root / "etc/systemd/system/multi-user.target.wants/nhc-scale.service"
    assert os.readlink(wants) == "/etc/systemd/system/nhc-scale.service"
    assert (pi_root / "opt/nhc-scale/doc/systemd.md").is_file()
    assert not log.exists(), log.read_text()


def test_default_config_holds_only_valid_keys_with_the_code_defaults(
    spy_path, pi_root, monkeypatch
):
    env, _ = spy_path
    install(env, pi_root)
    config_file = pi_root / "etc/nhc-scale/config.toml"
    values = tomllib.loads(config_file.read_text())
    assert set(values) <= set(Settings.model_fields)
    for key, value in values.items():
        if key != "state_dir":
            assert value == Settings.model_fields[key].default, key
    assert values["state_dir"] == "/var/lib/nhc-scale"
    for name in list(os.environ):
        if name.upper().startswith("NHC_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("NHC_CONFIG", str(config_file))
    settings = load_settings()
    assert settings.dout_pin == 5 and settings.sck_pin == 6


def test_environment_file_sets_nothing_by_default(spy_path, pi_root):
    env, _ = spy_path
    install(env, pi_root)
    lines = (pi_root / "etc/nhc-scale/environment").read_text().splitlines()
    assert all(line.startswith("#") or not line.strip() for line in lines)


def test_second_run_changes_nothing(spy_path, pi_root):
    env, _ = spy_path
    args = ("--firmware", "--cpus", "4", "--hostname", "nhc-scale")
    install(env, pi_root, *args)
    first = snapshot(pi_root)
    install(env, pi_root, *args)
    assert snapshot(pi_root) == first


def test_existing_config_is_kept(spy_path, pi_root):
    env, _ = spy_path
    config_file = pi_root / "etc/nhc-scale/config.toml"
    config_file.parent.mkdir(parents=True)
    config_file.write_text('pins = "lgpio"\nrate_sps = 10\n')
    result = install(env, pi_root)
    assert config_file.read_text() == 'pins = "lgpio"\nrate_sps = 10\n'
    assert "kept the existing" in result.stdout


def test_firmware_is_changed_only_when_asked(spy_path, pi_root):
    env, _ = spy_path
    install(env, pi_root)
    assert cmdline(pi_root) == PI_CMDLINE
    assert (pi_root / "boot/firmware/config.txt").read_text() == PI_CONFIG
    assert backups(pi_root) == []


def test_firmware_on_a_four_core_pi(spy_path, pi_root):
    env, _ = spy_path
    install(env, pi_root, "--firmware", "--cpus", "4")
    line = cmdline(pi_root)
    assert line.count("\n") == 1 and line.endswith("\n")
    params = line.split()
    assert params[: len(PI_CMDLINE.split())] == PI_CMDLINE.split()
    # The isolated core is the one the sampler pins to: sampler_cpu=None means the last CPU.
    assert "isolcpus=3" in params and "irqaffinity=0-2" in params
    config = (pi_root / "boot/firmware/config.txt").read_text()
    block = config[config.index("# BEGIN nhc-scale") :]
    assert block.splitlines()[1] == "[all]"  # not inside the image's [cm5] section
    assert "gpio=6=op,dl" in block and "gpio=5=ip,pu" in block
    assert config.startswith(PI_CONFIG + "\n")
    assert len(backups(pi_root)) == 2
    assert {p.read_text() for p in backups(pi_root)} == {PI_CMDLINE, PI_CONFIG}


def test_firmware_twice_adds_nothing_twice(spy_path, pi_root):
    env, _ = spy_path
    install(env, pi_root, "--firmware", "--cpus", "4")
    install(env, pi_root, "--firmware", "--cpus", "4")
    assert cmdline(pi_root).split().count("isolcpus=3") == 1
    assert (pi_root / "boot/firmware/config.txt").read_text().count("# BEGIN nhc-scale") == 1
    assert len(backups(pi_root)) == 2  # no backup when nothing changes


def test_changed_fragment_replaces_the_old_block(spy_path, pi_root):
    env, _ = spy_path
    config = pi_root / "boot/firmware/config.txt"
    old_block = "# BEGIN nhc-scale (old)\n[all]\ngpio=6=op,dh\n# END nhc-scale\n"
    config.write_text(PI_CONFIG + "\n" + old_block)
    install(env, pi_root, "--firmware", "--cpus", "4")
    text = config.read_text()
    assert text.count("# BEGIN nhc-scale") == 1
    assert "gpio=6=op,dh" not in text and "gpio=6=op,dl" in text


def test_single_core_pi_gets_no_isolation(spy_path, pi_root):
    env, _ = spy_path
    result = install(env, pi_root, "--firmware", "--cpus", "1")
    assert cmdline(pi_root) == PI_CMDLINE
    assert "single-core" in result.stdout
    assert "# BEGIN nhc-scale" in (pi_root / "boot/firmware/config.txt").read_text()


def test_a_different_isolcpus_is_left_alone_with_a_warning(spy_path, pi_root):
    env, _ = spy_path
    (pi_root / "boot/firmware/cmdline.txt").write_text(PI_CMDLINE.strip() + " isolcpus=2\n")
    result = install(env, pi_root, "--firmware", "--cpus", "4")
    params = cmdline(pi_root).split()
    assert "isolcpus=2" in params and "isolcpus=3" not in params
    assert "irqaffinity=0-2" in params
    assert "isolcpus" in result.stderr


def test_a_multi_line_cmdline_is_refused(spy_path, pi_root):
    env, _ = spy_path
    broken = PI_CMDLINE + "isolcpus=3\n"
    (pi_root / "boot/firmware/cmdline.txt").write_text(broken)
    result = install(env, pi_root, "--firmware", "--cpus", "4", check=False)
    assert result.returncode != 0
    assert "one" in result.stderr
    assert cmdline(pi_root) == broken


def test_hostname_only_when_asked(spy_path, pi_root):
    env, _ = spy_path
    install(env, pi_root)
    assert (pi_root / "etc/hostname").read_text() == "raspberrypi\n"
    install(env, pi_root, "--hostname", "nhc-scale")
    assert (pi_root / "etc/hostname").read_text() == "nhc-scale\n"
    assert "127.0.1.1\tnhc-scale" in (pi_root / "etc/hosts").read_text()


def test_bad_hostname_is_refused(spy_path, pi_root):
    env, _ = spy_path
    result = install(env, pi_root, "--hostname", "NHC_scale", check=False)
    assert result.returncode != 0
    assert (pi_root / "etc/hostname").read_text() == "raspberrypi\n"


def test_uninstall_keeps_settings_and_data_and_restores_boot_files(spy_path, pi_root):
    env, log = spy_path
    install(env, pi_root, "--firmware", "--cpus", "4")
    data = pi_root / "var/lib/nhc-scale/nhc-scale.sqlite3"
    data.parent.mkdir(parents=True)
    data.write_text("reps")
    run(env, "--root", str(pi_root), "--uninstall", "--firmware")
    assert not (pi_root / "etc/systemd/system/nhc-scale.service").exists()
    assert not (pi_root / "etc/systemd/system/multi-user.target.wants/nhc-scale.service").exists()
    assert not (pi_root / "etc/avahi/services/nhc-scale.service").exists()
    assert not (pi_root / "opt/nhc-scale").exists()
    assert data.read_text() == "reps"
    assert (pi_root / "etc/nhc-scale/config.toml").is_file()
    assert cmdline(pi_root).split() == PI_CMDLINE.split()
    assert "nhc-scale" not in (pi_root / "boot/firmware/config.txt").read_text()
    assert not log.exists()


def test_purge_deletes_settings_and_data(spy_path, pi_root):
    env, _ = spy_path
    install(env, pi_root)
    (pi_root / "var/lib/nhc-scale").mkdir(parents=True)
    run(env, "--root", str(pi_root), "--uninstall", "--purge")
    assert not (pi_root / "var/lib/nhc-scale").exists()
    assert not (pi_root / "etc/nhc-scale").exists()
    assert not (pi_root / "usr/lib/sysusers.d/nhc-scale.conf").exists()


def test_purge_needs_uninstall(spy_path, pi_root):
    env, _ = spy_path
    assert run(env, "--root", str(pi_root), "--purge", check=False).returncode != 0


@pytest.mark.skipif(
    shutil.which("shellcheck") is None,
    reason="shellcheck not installed (Debian package 'shellcheck'; .ci/run installs it)",
)
def test_installer_is_shellcheck_clean():
    result = subprocess.run(
        ["shellcheck", "--severity=style", str(SCRIPT)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout
