"""The build documents must name the pins the code uses: hardware/*.md, the wiring diagram and
the firmware fragments are checked against the defaults in nhc_scale.config.Settings."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from nhc_scale.config import Settings

REPO = Path(__file__).resolve().parents[1]
HARDWARE = REPO / "hardware"
SVG = HARDWARE / "wiring.svg"
DOUT = Settings.model_fields["dout_pin"].default
SCK = Settings.model_fields["sck_pin"].default

# BCM GPIO number -> position on the 40-pin header (Raspberry Pi B+ and later, Zero, 5).
HEADER_PIN = {
    2: 3,
    3: 5,
    4: 7,
    17: 11,
    27: 13,
    22: 15,
    10: 19,
    9: 21,
    11: 23,
    0: 27,
    5: 29,
    6: 31,
    13: 33,
    19: 35,
    26: 37,
    14: 8,
    15: 10,
    18: 12,
    23: 16,
    24: 18,
    25: 22,
    8: 24,
    7: 26,
    1: 28,
    12: 32,
    16: 36,
    20: 38,
    21: 40,
}
BCM = re.compile(r"BCM\s*(\d+)")


def markdown_files() -> list[Path]:
    return sorted(HARDWARE.glob("*.md"))


def svg_texts() -> list[str]:
    ns = "{http://www.w3.org/2000/svg}"
    root = ET.parse(SVG).getroot()
    return ["".join(element.itertext()) for element in root.iter(f"{ns}text")] + [
        "".join(element.itertext()) for element in root.iter(f"{ns}desc")
    ]


def test_the_documents_exist():
    names = {path.name for path in HARDWARE.iterdir()}
    assert {"bom.md", "wiring.md", "wiring.svg", "pad.md", "calibration.md"} <= names


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: p.name)
def test_every_bcm_number_in_the_docs_is_a_configured_pin(path):
    numbers = {int(n) for n in BCM.findall(path.read_text())}
    assert numbers <= {DOUT, SCK}, f"{path.name} names BCM {sorted(numbers - {DOUT, SCK})}"


def test_wiring_table_rows_match_the_defaults():
    rows = [
        line for line in (HARDWARE / "wiring.md").read_text().splitlines() if line.startswith("|")
    ]
    # The rows whose first cell, the HX711 board's pin, is DOUT or PD_SCK.
    dout_rows = [row for row in rows if "DOUT" in row.strip("|").split("|")[0]]
    sck_rows = [row for row in rows if "PD_SCK" in row.strip("|").split("|")[0]]
    assert dout_rows and sck_rows
    for row, bcm in [(dout_rows[0], DOUT), (sck_rows[0], SCK)]:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert f"BCM {bcm}" in cells, row
        assert str(HEADER_PIN[bcm]) in cells, row
    assert f"`dout_pin = {DOUT}`" in dout_rows[0]
    assert f"`sck_pin = {SCK}`" in sck_rows[0]


def test_the_diagram_labels_the_same_pins():
    texts = svg_texts()
    numbers = {int(n) for text in texts for n in BCM.findall(text)}
    assert numbers == {DOUT, SCK}
    dout_labels = [t for t in texts if "DOUT" in t and "BCM" in t and len(t) < 60]
    sck_labels = [t for t in texts if "PD_SCK" in t and "BCM" in t and len(t) < 60]
    assert dout_labels and sck_labels
    assert all(BCM.findall(t) == [str(DOUT)] for t in dout_labels)
    assert all(BCM.findall(t) == [str(SCK)] for t in sck_labels)
    header_labels = " ".join(t for t in texts if t.startswith("pin "))
    assert f"pin {HEADER_PIN[DOUT]}" in header_labels
    assert f"pin {HEADER_PIN[SCK]}" in header_labels


def test_the_diagram_asks_for_3v3_not_5v():
    texts = " ".join(svg_texts())
    assert "3V3" in texts and "3.3 V" in texts


def test_build_one_names_the_same_pins():
    text = (REPO / "README.md").read_text().split("## Build one", 1)[1]
    assert f"**BCM {DOUT}** (pin {HEADER_PIN[DOUT]})" in text
    assert f"**BCM {SCK}** (pin {HEADER_PIN[SCK]})" in text


def test_firmware_boot_states_are_for_the_configured_pins():
    lines = (REPO / "firmware" / "config.txt").read_text().splitlines()
    gpio_lines = [line for line in lines if line.startswith("gpio=")]
    assert f"gpio={SCK}=op,dl" in gpio_lines  # PD_SCK low: the HX711 stays powered
    assert f"gpio={DOUT}=ip,pu" in gpio_lines  # DOUT pulled up: "not ready" when unplugged
    assert len(gpio_lines) == 2


def test_isolated_core_is_the_samplers_default_core_on_a_four_core_pi():
    assert Settings.model_fields["sampler_cpu"].default is None  # None means the last CPU
    params = (REPO / "firmware" / "cmdline.txt").read_text().split()
    assert (REPO / "firmware" / "cmdline.txt").read_text().count("\n") == 1
    values = dict(param.split("=", 1) for param in params)
    assert values["isolcpus"] == "3"
    assert values["irqaffinity"] == "0-2"


def test_firmware_readme_explains_every_line():
    readme = (REPO / "firmware" / "README.md").read_text()
    config_lines = [
        line
        for line in (REPO / "firmware" / "config.txt").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    for line in config_lines:
        assert f"`{line}`" in readme, line
    for param in (REPO / "firmware" / "cmdline.txt").read_text().split():
        assert f"`{param}`" in readme, param


LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


@pytest.mark.parametrize(
    "path",
    [
        *markdown_files(),
        REPO / "README.md",
        REPO / "firmware" / "README.md",
        REPO / "systemd" / "README.md",
    ],
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_relative_links_point_at_files(path):
    base = path.parent
    for target in LINK.findall(path.read_text()):
        if "://" in target or target.startswith("<"):
            continue
        assert (base / target).exists(), f"{path.name}: {target}"
