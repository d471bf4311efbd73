"""Benchmark: how fast the simulator serves participations over HTTP, and its peak memory.

Runs `python -m sinergi.simulator serve` in a subprocess (so client and server do
not share a GIL), pages through every participation with `requests`, and prints
rows/s and the server's peak RSS at 100k and 1M ASN, next to two baselines
measured in-process on the same records: generation+encoding alone (no HTTP),
and `json.dumps` of the same records as dicts (what a naive server would pay
just to encode). Usage: `python benchmarks/bench_simulator.py [N_ASN ...]`.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import requests

from sinergi.simulator import build_sources

PAGE = 5000
BASELINE_ROWS = 300_000


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _serve(n_asn: int) -> tuple[subprocess.Popen, dict, float]:
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sinergi.simulator", "serve", "--seed", "1", "--asn", str(n_asn),
         "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    info = json.loads(proc.stdout.readline())
    return proc, info, time.perf_counter() - started


def _read_all(info: dict) -> tuple[int, float]:
    session = requests.Session()
    url = f"{info['urls']['bpsdm_kemendagri']}/api/v1/participations"
    headers = {"X-API-Key": info["credentials"]["kemendagri_api_key"]}
    rows, offset, total = 0, 0, None
    started = time.perf_counter()
    while total is None or offset < total:
        body = session.get(url, params={"offset": offset, "limit": PAGE}, headers=headers).json()
        total = body["total"]
        rows += len(body["data"])
        offset += PAGE
    return rows, time.perf_counter() - started


def _baselines(n_asn: int) -> tuple[float, float]:
    stream = build_sources(1, n_asn).participations
    started = time.perf_counter()
    pages = [
        b"[" + b",".join(stream.records(s, s + PAGE)) + b"]" for s in range(0, BASELINE_ROWS, PAGE)
    ]
    generate = BASELINE_ROWS / (time.perf_counter() - started)
    records = [r for page in pages for r in json.loads(page)]
    started = time.perf_counter()
    for s in range(0, len(records), PAGE):
        json.dumps({"data": records[s : s + PAGE]}).encode()
    dumps = len(records) / (time.perf_counter() - started)
    return generate, dumps


def main(sizes: list[int]) -> None:
    print(f"{'ASN':>10} {'rows':>10} {'startup s':>9} {'HTTP rows/s':>12} {'peak RSS MB':>11}"
          f" {'gen+encode rows/s':>17} {'json.dumps rows/s':>17}")  # fmt: skip
    for n_asn in sizes:
        proc, info, startup = _serve(n_asn)
        try:
            rows, seconds = _read_all(info)
            rss = _peak_rss_mb(proc.pid)
        finally:
            proc.terminate()
            proc.wait()
        generate, dumps = _baselines(n_asn)
        print(f"{n_asn:>10,} {rows:>10,} {startup:>9.1f} {rows / seconds:>12,.0f} {rss:>11.0f}"
              f" {generate:>17,.0f} {dumps:>17,.0f}")  # fmt: skip


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100_000, 1_000_000])
