"""The acquisition loop in-process (fake clock: exact), then the sampler as a real OS process."""

from __future__ import annotations

import bisect
import itertools
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from fake_time import FakeTime

from nhc_scale.hx711 import HX711
from nhc_scale.pins.emulated import EmulatedPins, EmulatedSpec, read_truth
from nhc_scale.pins.emulated_chip import ConversionTruth, EmulatedHX711, Faults
from nhc_scale.pins.loadcell import ConstantForce, LoadCell
from nhc_scale.pins.select import PortSpec
from nhc_scale.sampler import SampleBlock, Sampler, SamplerConfig, SamplerDied, SamplerStats
from nhc_scale.sampler.loop import AcquisitionLoop

pytestmark = pytest.mark.integration  # the sampler is a real process

ROOT = Path(__file__).resolve().parent.parent


def make_loop(
    fake: FakeTime, kg: float = 12.5, faults: Faults | None = None
) -> tuple[EmulatedHX711, AcquisitionLoop]:
    chip = EmulatedHX711(
        ConstantForce(kg), faults=faults, seed=4, clock=fake.monotonic_ns, sleep=fake.sleep
    )
    driver = HX711(EmulatedPins(chip), clock=fake.monotonic_ns)
    stats = SamplerStats(backend="emulated", configured_sps=80)
    return chip, AcquisitionLoop(driver, stats, clock=fake.monotonic_ns)


def run_until(
    loop: AcquisitionLoop, fake: FakeTime, until_ns: int
) -> list[tuple[SampleBlock, int]]:
    """Step the loop; every block with the (fake) time at which it was handed over."""
    blocks = []
    while fake.now < until_ns:
        block = loop.step()
        if block is not None:
            blocks.append((block, fake.now))
    return blocks


def check_against_chip(chip: EmulatedHX711, blocks: list[SampleBlock]) -> None:
    for block in blocks:
        for t_ns, counts in zip(block.t_ns, block.counts, strict=True):
            truth = chip.conversion_before(t_ns)
            assert truth is not None and truth.settled and counts == truth.counts, (t_ns, truth)


def check_sequence(blocks: list[SampleBlock]) -> None:
    assert [b.seq for b in blocks] == list(range(blocks[0].seq, blocks[0].seq + len(blocks)))
    for previous, block in itertools.pairwise(blocks):
        assert block.first_index == previous.first_index + len(previous)
    times = [t for b in blocks for t in b.t_ns]
    assert all(a < b for a, b in itertools.pairwise(times)), "t_ns strictly increases"


# ----- the loop, in-process ---------------------------------------------------------------------


def test_blocks_are_sequenced_contiguous_and_carry_the_chips_values(fake_time: FakeTime) -> None:
    chip, loop = make_loop(fake_time)
    blocks = [b for b, _ in run_until(loop, fake_time, chip.created_ns + 2_000_000_000)]
    check_sequence(blocks)
    check_against_chip(chip, blocks)
    samples = sum(len(b) for b in blocks)
    assert blocks[0].seq == 0 and blocks[0].first_index == 0
    assert samples == blocks[-1].stats.samples
    # 2 s at 80 S/s less the 50 ms settling after the start-up power-cycle: every one of them.
    assert samples == sum(1 for c in chip.truth if c.t_ns <= blocks[-1].t_ns[-1])
    stats = blocks[-1].stats
    assert stats.status == "ok"
    assert stats.missed_conversions == stats.rejected_reads == stats.restarts == 0
    assert stats.measured_sps == pytest.approx(80, rel=0.01)


def test_a_silent_chip_is_reported_no_data_within_half_a_second_and_recovers(
    fake_time: FakeTime,
) -> None:
    chip, loop = make_loop(fake_time, faults=Faults(dout_stuck_high=((0.5, 1.5),)))
    window_start = chip.created_ns + 500_000_000
    window_end = chip.created_ns + 1_500_000_000
    emitted = run_until(loop, fake_time, chip.created_ns + 2_500_000_000)
    blocks = [b for b, _ in emitted]
    check_sequence(blocks)
    check_against_chip(chip, blocks)

    no_data = [(b, at) for b, at in emitted if b.stats.status == "no_data"]
    assert no_data, "the silence was never reported"
    reported_at = no_data[0][1]
    assert window_start < reported_at <= window_start + 500_000_000
    assert all(b.stats.status == "ok" for b, at in emitted if at < reported_at and len(b))
    assert all(window_start <= at <= window_end + 200_000_000 for _, at in no_data)

    recovered = [b for b, at in emitted if at > window_end and b.stats.status == "ok" and len(b)]
    assert recovered, "data never came back after the window"
    assert all(t >= window_end for b in recovered for t in b.t_ns)
    assert sum(len(b) for b in recovered) >= 50  # the last second, less a restart's settling


class UnplugAfterReady(EmulatedPins):
    """The plug comes out right after the chip says its ``nth`` word is ready, before the
    reader clocks it out: DOUT floats high, so the word reads as all ones."""

    def __init__(self, chip: EmulatedHX711, nth: int) -> None:
        super().__init__(chip)
        self._left = nth

    def wait_dout_low(self, timeout_s: float) -> bool:
        ready = super().wait_dout_low(timeout_s)
        if ready:
            self._left -= 1
            if self._left == 0:
                self.chip.set_unplugged(True)
        return ready


def test_a_word_cut_short_by_a_pulled_plug_is_never_delivered(fake_time: FakeTime) -> None:
    chip = EmulatedHX711(ConstantForce(12.5), seed=4, clock=fake_time.monotonic_ns)
    driver = HX711(UnplugAfterReady(chip, nth=40), clock=fake_time.monotonic_ns)
    loop = AcquisitionLoop(driver, SamplerStats("emulated", 80), clock=fake_time.monotonic_ns)
    emitted = run_until(loop, fake_time, chip.created_ns + 1_500_000_000)
    blocks = [b for b, _ in emitted]
    assert emitted[-1][0].stats.status == "no_data"
    counts = [c for b in blocks for c in b.counts]
    assert -1 not in counts  # the word of ones the reader got
    assert len(counts) == 39  # all the words before it, each vouched for by the next
    check_against_chip(chip, blocks)
    assert emitted[-1][0].stats.rejected["unconfirmed"] == 1


def test_a_late_loop_counts_the_conversions_it_missed(fake_time: FakeTime) -> None:
    chip, loop = make_loop(fake_time)
    blocks = [b for b, _ in run_until(loop, fake_time, chip.created_ns + 500_000_000)]
    overwritten_before = chip.counters.overwritten
    missed_before = loop.stats.missed_conversions
    fake_time.sleep(0.040)  # the loop is held up once: a little over three periods
    blocks += [b for b, _ in run_until(loop, fake_time, chip.created_ns + 1_000_000_000)]
    blocks.append(loop._flush(fake_time.now))
    check_sequence(blocks)
    check_against_chip(chip, blocks)
    overwritten = chip.counters.overwritten - overwritten_before
    assert overwritten == 2, "the chip replaced two words nobody read"
    assert blocks[-1].stats.missed_conversions - missed_before == overwritten
    delivered = sum(len(b) for b in blocks)
    assert delivered + blocks[-1].stats.missed_conversions == sum(
        1 for c in chip.truth if c.t_ns <= blocks[-1].t_ns[-1]
    )


def test_the_loop_on_the_real_clock_delivers_the_chips_values() -> None:
    chip = EmulatedHX711(ConstantForce(12.5), load_cell=LoadCell(noise_kg=0.0))
    loop = AcquisitionLoop(HX711(EmulatedPins(chip)), SamplerStats("emulated", 80))
    blocks = []
    deadline = time.monotonic() + 10.0  # a bound for a badly loaded machine, not a measure
    while sum(len(b) for b in blocks) < 20 and time.monotonic() < deadline:
        block = loop.step()
        if block is not None:
            blocks.append(block)
    assert sum(len(b) for b in blocks) >= 20
    check_sequence(blocks)
    check_against_chip(chip, blocks)
    assert set(c for b in blocks for c in b.counts) == {209_213}


# ----- the sampler process ----------------------------------------------------------------------


def compare_with_truth(
    truth: list[ConversionTruth], samples: list[tuple[int, int]]
) -> tuple[int, int]:
    """(exact, corrupt): each sample against the last conversion ready at or before its time.

    A word may legitimately be the *next* conversion, if it replaced the ready one between the
    moment DOUT was seen low and the first clock edge (a preemption longer than the rest of the
    period); its value is still one the chip produced and had shifted out, only its timestamp
    is one period early. Anything else is corrupt.
    """
    truth_times = [c.t_ns for c in truth]
    exact = corrupt = 0
    for t_ns, counts in samples:
        position = bisect.bisect_right(truth_times, t_ns) - 1
        assert position >= 0, "a sample before the chip's first conversion"
        here = truth[position]
        after = truth[position + 1] if position + 1 < len(truth) else None
        if here.read and here.settled and here.counts == counts:
            exact += 1
        elif not (after and after.read and after.settled and after.counts == counts):
            corrupt += 1
    return exact, corrupt


def test_the_sampler_process_delivers_80_sps_with_nothing_corrupt(tmp_path: Path) -> None:
    truth_path = tmp_path / "truth.csv"
    emulated = EmulatedSpec(force=ConstantForce(12.5), seed=3, truth_path=str(truth_path))
    sampler = Sampler(SamplerConfig(PortSpec("emulated", emulated=emulated)))
    sampler.start()
    blocks: list[SampleBlock] = []
    try:
        deadline = time.monotonic() + 20.0  # start-up included; only a bound, never a measure
        first_data = None
        while time.monotonic() < deadline:
            block = sampler.receive(timeout_s=0.5)
            if block is None:
                continue
            assert block.stats.status != "error", block.stats.message
            blocks.append(block)
            if len(block) and first_data is None:
                first_data = time.monotonic()
            samples = sum(len(b) for b in blocks)
            if first_data is not None and time.monotonic() - first_data > 2.0 and samples >= 150:
                break
        process = sampler._process
        pid = sampler.pid
    finally:
        sampler.stop()

    assert process is not None and process.exitcode == 0, "stop() let the process finish"
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    samples = [(t, c) for b in blocks for t, c in zip(b.t_ns, b.counts, strict=True)]
    assert len(samples) >= 150
    check_sequence(blocks)
    stats = blocks[-1].stats
    assert stats.backend == "emulated" and stats.configured_sps == 80
    assert stats.measured_sps is not None and 70 < stats.measured_sps < 90
    assert stats.realtime, "the sampler says what scheduling it got"

    truth = read_truth(truth_path)  # written by the port when the sampler closed it
    assert sum(c.read for c in truth) >= len(samples)
    exact, corrupt = compare_with_truth(truth, samples)
    assert corrupt == 0
    assert exact >= 0.98 * len(samples)


PARENT_SCRIPT = """
import sys
import time

from nhc_scale.pins.select import PortSpec
from nhc_scale.sampler import Sampler, SamplerConfig

if __name__ == "__main__":
    sampler = Sampler(SamplerConfig(PortSpec("emulated"), realtime_priority=0))
    sampler.start()
    print(sampler.pid, flush=True)
    while sampler.receive(timeout_s=1.0) is None:  # up and running (its death signal is set)
        pass
    print("running", flush=True)
    time.sleep(60)
"""


def process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie nobody has reaped yet is gone for our purposes
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def test_the_sampler_process_dies_with_its_parent(tmp_path: Path) -> None:
    script = tmp_path / "parent.py"
    script.write_text(textwrap.dedent(PARENT_SCRIPT))
    parent = subprocess.Popen(
        [sys.executable, str(script)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    sampler_pid = None
    try:
        assert parent.stdout is not None
        sampler_pid = int(parent.stdout.readline())
        assert parent.stdout.readline().strip() == "running"
        assert process_exists(sampler_pid)
        parent.send_signal(signal.SIGKILL)  # no chance to clean up: only the kernel can help
        parent.wait(timeout=10)
        deadline = time.monotonic() + 5.0
        while process_exists(sampler_pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not process_exists(sampler_pid), "the sampler outlived its parent"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        if sampler_pid is not None and process_exists(sampler_pid):
            os.kill(sampler_pid, signal.SIGKILL)


def test_a_backend_that_cannot_open_reports_error_then_the_sampler_dies() -> None:
    # No /dev/gpiochip here: lgpio (real or the stand-in on sys.path) has no header chip.
    sampler = Sampler(SamplerConfig(PortSpec("lgpio"), realtime_priority=0))
    sampler.start()
    try:
        block = None
        deadline = time.monotonic() + 20.0
        while block is None and time.monotonic() < deadline:
            block = sampler.receive(timeout_s=0.5)
        assert block is not None
        assert block.stats.status == "error"
        assert block.stats.message and len(block) == 0
        with pytest.raises(SamplerDied) as died:
            for _ in range(40):
                sampler.receive(timeout_s=0.5)
        assert died.value.exitcode not in (None, 0)
    finally:
        sampler.stop()
