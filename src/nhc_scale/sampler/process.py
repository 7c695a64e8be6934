"""The sampler's own OS process: real-time priority, a pinned CPU, a never-blocking transport.

Bit-banging in Python next to a web server cannot keep the HX711's 60 µs limit: the GIL can be
taken away mid-word for milliseconds. So the loop runs in a spawned process of its own, asks
for SCHED_FIFO and a CPU, and hands blocks over a SOCK_SEQPACKET socket pair: one message per
block, sent without blocking, so a consumer that stalls costs it nothing but a bounded backlog.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
import multiprocessing
import os
import pickle
import signal
import socket
import time
from collections import deque
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from nhc_scale.hx711 import HX711
from nhc_scale.pins.port import PinsUnavailable
from nhc_scale.pins.select import PortSpec, open_port
from nhc_scale.sampler.blocks import STATUS_ERROR, SampleBlock, SamplerStats
from nhc_scale.sampler.loop import AcquisitionLoop

log = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1
ISOLATED_CPUS = Path("/sys/devices/system/cpu/isolated")
MAX_BLOCK_BYTES = 1 << 16
GC_INTERVAL_S = 10.0
BACKLOG_BLOCKS = 2_000  # ~40 s of blocks held for a consumer that stalls, then the oldest go


class SamplerDied(Exception):
    """The sampler process ended; ``exitcode`` tells how."""

    def __init__(self, exitcode: int | None, message: str = "") -> None:
        super().__init__(message or f"the sampler process exited (code {exitcode})")
        self.exitcode = exitcode


@dataclass(frozen=True)
class SamplerConfig:
    port: PortSpec
    gain: int = 128
    rate_sps: int = 80
    realtime_priority: int = 50  # SCHED_FIFO priority; 0 leaves the default scheduler
    cpu: int | None = None  # None: the last CPU (the one firmware/ isolates)
    block_interval_s: float = 0.02
    heartbeat_s: float = 0.25


class Sampler:
    """The parent's handle on the sampler process."""

    def __init__(self, config: SamplerConfig) -> None:
        self.config = config
        self._process: multiprocessing.process.BaseProcess | None = None
        self._socket: socket.socket | None = None
        self._stop: Any = None  # a multiprocessing Event of the spawn context, once started

    def start(self) -> None:
        context = multiprocessing.get_context("spawn")
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._stop = context.Event()
        self._process = context.Process(
            target=_sampler_main,
            args=(self.config, theirs, self._stop, os.getpid()),
            name="nhc-scale-sampler",
            daemon=True,
        )
        self._process.start()
        theirs.close()
        self._socket = ours

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def is_alive(self) -> bool:
        return self._process is not None and self._process.is_alive()

    def fileno(self) -> int:
        assert self._socket is not None, "start() the sampler first"
        return self._socket.fileno()

    def receive(self, timeout_s: float | None = None) -> SampleBlock | None:
        """The next block, or None after ``timeout_s``; SamplerDied once the process is gone."""
        assert self._socket is not None, "start() the sampler first"
        self._socket.settimeout(timeout_s)
        try:
            data = self._socket.recv(MAX_BLOCK_BYTES)
        except TimeoutError:
            if not self.is_alive():
                raise SamplerDied(self._exitcode()) from None
            return None
        except OSError as error:
            raise SamplerDied(self._exitcode(), str(error)) from error
        if not data:
            raise SamplerDied(self._exitcode())
        return pickle.loads(data)

    def stop(self, timeout_s: float = 3.0) -> None:
        """Ask the process to finish its loop and close the port; kill it if it will not."""
        process = self._process
        if process is None:
            return
        if self._stop is not None:
            self._stop.set()
        process.join(timeout_s)
        if process.is_alive():
            log.warning("sampler did not stop in %.1f s; terminating it", timeout_s)
            process.terminate()
            process.join(1.0)
        if process.is_alive():
            process.kill()
            process.join(1.0)
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        self._process = None
        # Drop the event now: its named semaphores are unlinked when it is collected, not
        # left to the resource tracker to complain about if the server exits on a signal.
        self._stop = None

    def _exitcode(self) -> int | None:
        if self._process is None:
            return None
        self._process.join(0.5)
        return self._process.exitcode

    def __enter__(self) -> Sampler:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


# ----- inside the sampler process ---------------------------------------------------------------


def _die_with_parent(parent_pid: int) -> None:
    """No orphan sampler: the kernel sends SIGTERM when the parent goes, however it goes."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(0)


def sampler_cpu(requested: int | None) -> int | None:
    """The CPU to pin to: the one isolated for it (firmware/ isolates the last), else the last.

    An isolated CPU is outside every process's default affinity, so it is found in sysfs,
    not in ``sched_getaffinity``.
    """
    if requested is not None:
        return requested
    try:
        isolated = ISOLATED_CPUS.read_text().strip()
    except OSError:
        isolated = ""
    if isolated:
        last = isolated.split(",")[-1]
        return int(last.split("-")[-1])
    count = os.cpu_count() or 1
    return count - 1 if count > 1 else None


def _claim_realtime(priority: int, cpu: int | None) -> tuple[str, int | None]:
    notes = []
    chosen_cpu = sampler_cpu(cpu)
    if chosen_cpu is not None:
        try:
            os.sched_setaffinity(0, {chosen_cpu})
        except OSError as error:
            notes.append(f"pinning to CPU {chosen_cpu} refused ({error.strerror})")
            chosen_cpu = None
    if priority <= 0:
        notes.insert(0, "default scheduler (realtime_priority = 0)")
    else:
        try:
            os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(priority))
            notes.insert(0, f"SCHED_FIFO priority {priority}")
        except OSError as error:
            notes.insert(
                0,
                f"real-time priority refused ({error.strerror}): grant CAP_SYS_NICE or "
                "LimitRTPRIO; timing violations will be more frequent",
            )
    return "; ".join(notes), chosen_cpu


def _sampler_main(
    config: SamplerConfig, sock: socket.socket, stop_event: object, parent_pid: int
) -> None:
    _die_with_parent(parent_pid)
    stopping = False

    def on_term(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    realtime, cpu = _claim_realtime(config.realtime_priority, config.cpu)
    # A garbage-collection pause mid-word would hold PD_SCK high past 60 µs. The loop makes
    # almost no reference cycles, so collect only between conversions, when there is time.
    gc.freeze()
    gc.disable()
    last_collect = time.monotonic()
    stats = SamplerStats(
        backend=config.port.backend, configured_sps=config.rate_sps, realtime=realtime, cpu=cpu
    )
    sock.setblocking(False)
    backlog: deque[bytes] = deque()
    try:
        port = open_port(config.port)
    except (PinsUnavailable, OSError) as error:
        failed = replace(stats, status=STATUS_ERROR, message=str(error))
        with contextlib.suppress(OSError):
            sock.send(pickle.dumps(SampleBlock(0, 0, (), (), failed)))
        os._exit(3)
    driver = HX711(port, gain=config.gain, rate_sps=config.rate_sps)
    loop = AcquisitionLoop(
        driver, stats, block_interval_s=config.block_interval_s, heartbeat_s=config.heartbeat_s
    )
    try:
        while not stopping and not stop_event.is_set():  # type: ignore[attr-defined]
            block = loop.step()
            if block is not None:
                backlog.append(pickle.dumps(block, protocol=pickle.HIGHEST_PROTOCOL))
                while len(backlog) > BACKLOG_BLOCKS:
                    loop.dropped_samples += len(pickle.loads(backlog.popleft()).counts)
            if backlog and not _send_backlog(sock, backlog):
                break
            if time.monotonic() - last_collect > GC_INTERVAL_S:
                gc.collect(0)  # right after a conversion: the next is ~10 ms away
                last_collect = time.monotonic()
    finally:
        driver.close()
        sock.close()


def _send_backlog(sock: socket.socket, backlog: deque[bytes]) -> bool:
    """Send what the socket takes now; False once the consumer has gone for good."""
    while backlog:
        try:
            sock.send(backlog[0])
        except BlockingIOError:
            return True
        except OSError:
            return False
        backlog.popleft()
    return True
