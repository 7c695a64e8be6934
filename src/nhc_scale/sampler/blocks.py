"""What the sampler hands over: blocks of samples with the counters that qualify them."""

from __future__ import annotations

from dataclasses import dataclass, field

STATUS_STARTING = "starting"
STATUS_OK = "ok"
STATUS_NO_DATA = "no_data"  # the HX711 stopped answering (unplugged, unpowered, broken wire)
STATUS_ERROR = "error"  # the backend could not be opened; see ``message``


@dataclass(frozen=True)
class SamplerStats:
    """Cumulative counters since the sampler started, as in Klipper's bulk sensor blocks."""

    backend: str
    configured_sps: int
    measured_sps: float | None = None  # the chip's conversion rate, from gap-free intervals
    samples: int = 0  # delivered
    missed_conversions: int = 0  # produced by the chip but never read (we were late)
    rejected: dict[str, int] = field(default_factory=dict)  # discarded words, by cause
    timing_violations: int = 0
    restarts: int = 0
    dropped_samples: int = 0  # delivered too late: the consumer did not keep up
    status: str = STATUS_STARTING
    message: str = ""
    realtime: str = ""  # what scheduling the sampler got, in words
    cpu: int | None = None
    cpu_s: float = 0.0  # the sampler process's own CPU time

    @property
    def rejected_reads(self) -> int:
        return sum(self.rejected.values())


@dataclass(frozen=True)
class SampleBlock:
    seq: int  # block number: a gap means blocks were lost in transit
    first_index: int  # index of the first sample since the sampler started
    t_ns: tuple[int, ...]  # CLOCK_MONOTONIC when each conversion was seen ready
    counts: tuple[int, ...]
    stats: SamplerStats

    def __len__(self) -> int:
        return len(self.counts)
