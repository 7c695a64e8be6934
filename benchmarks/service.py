"""Service benchmark: 50 live clients on loopback while the sampler runs at 80 S/s.

Starts `nhc-scale serve` on the emulated sensor, connects N Server-Sent-Event clients for S
seconds, and measures what each received. Latency is from a sample's conversion timestamp
(CLOCK_MONOTONIC in the sampler process) to its event's arrival at the client (the same clock).

    python benchmarks/service.py [--clients 50] [--seconds 30]

The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from server import running_server  # the tests' real-server helper


async def client(url: str, seconds: float, arrivals: dict[int, int]) -> None:
    """Record, for every sample received, its conversion t_ns -> latency in ns.

    A bare asyncio HTTP/1.1 client: an HTTP library's per-line overhead, times 50 streams in
    one process, would be measured as server latency.
    """
    host, port = url.split("//", 1)[1].split("/", 1)[0].split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(f"GET /api/live HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
    await reader.readuntil(b"\r\n\r\n")  # status line and headers
    deadline = time.monotonic() + seconds
    raw = b""  # chunked transfer encoding, not yet decoded
    text = b""  # decoded event-stream bytes not yet split into events
    try:
        while time.monotonic() < deadline:
            raw += await reader.read(1 << 16)
            now = time.monotonic_ns()
            while True:  # decode every complete chunk
                head, sep, rest = raw.partition(b"\r\n")
                if not sep:
                    break
                size = int(head, 16)
                if len(rest) < size + 2:
                    break
                text += rest[:size]
                raw = rest[size + 2 :]
            *events, text = text.split(b"\n\n")
            for event in events:
                if event.startswith(b"event: sample\n"):
                    data = json.loads(event.split(b"data: ", 1)[1])
                    for t_ns, _kg in data["samples"]:
                        arrivals[t_ns] = now - t_ns
    finally:
        writer.close()


async def run_clients(url: str, clients: int, seconds: float) -> list[dict[int, int]]:
    results: list[dict[int, int]] = [{} for _ in range(clients)]
    await asyncio.gather(*(client(url, seconds, results[i]) for i in range(clients)))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as tmp,
        running_server(Path(tmp), NHC_REALTIME_PRIORITY="50") as server,
    ):
        time.sleep(2.0)  # past start-up: the sampler has settled
        before = httpx.get(server.url + "/api/health").json()["sensor"]
        results = asyncio.run(run_clients(server.url + "/api/live", args.clients, args.seconds))
        after = httpx.get(server.url + "/api/health").json()["sensor"]
    everything = set().union(*(set(r) for r in results))
    # Judge each client on the samples that arrived anywhere while every client was connected.
    first = max(min(r) for r in results if r)
    last = min(max(r) for r in results if r)
    window = {t for t in everything if first <= t <= last}
    ratios = [len(window & set(r)) / len(window) for r in results]
    latencies = sorted(v for r in results for t, v in r.items() if t in window)
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] / 1e6  # noqa: E731
    figures = {
        "clients": args.clients,
        "seconds": args.seconds,
        "samples_in_window": len(window),
        "missed_conversions": after["missed_conversions"] - before["missed_conversions"],
        "rejected_reads": after["rejected_reads"] - before["rejected_reads"],
        "events_received_ratio": round(min(ratios), 4),
        "events_received_ratio_mean": round(sum(ratios) / len(ratios), 4),
        "latency_p50_ms": round(p(0.50), 2),
        "latency_p99_ms": round(p(0.99), 2),
        "latency_max_ms": round(latencies[-1] / 1e6, 2),
    }
    for key, value in figures.items():
        print(f"{key:>28}: {value}")
    print(
        json.dumps(
            {
                key: figures[key]
                for key in (
                    "clients",
                    "missed_conversions",
                    "events_received_ratio",
                    "latency_p99_ms",
                )
            }
            | figures
        )
    )


if __name__ == "__main__":
    main()
