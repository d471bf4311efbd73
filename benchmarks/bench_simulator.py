"""Benchmark: how fast the simulator serves participations over HTTP, and its peak memory.

Per world size, in one run:
- serving: `python -m sinergi_simulator serve` in a subprocess (client and server
  do not share a GIL); a thin `http.client` reader pages through every
  participation (5000 per page). Prints rows/s, the server's CPU per row (from
  /proc: what serving takes away from an ingest running on the same cores, and
  unlike rows/s not skewed by other load) and the server's peak RSS;
- baselines, in-process on the same stream: generation+encoding alone (no
  HTTP), and `json.dumps` of the same records as dicts (what a naive server
  would pay just to encode them);
- with `--files-until`, peak RSS of `sinergi simulate files` writing the file
  drop up to that time (a month or two is enough: files are written month by month).
Peak RSS should be flat across sizes (memory does not grow with the world).

    python benchmarks/bench_simulator.py                      # 100k and 1M ASN
    python benchmarks/bench_simulator.py 100000 1000000 4300000 --files-until 2023-02-01
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time
from urllib.parse import urlsplit

from sinergi_simulator import build_sources

PAGE = 5000
BASELINE_ROWS = 300_000
SEED = 1


def _cpu_seconds(pid: int) -> float:
    """utime + stime of a running process."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _peak_rss_mb(pid: int) -> float:
    """VmHWM of a live process. (Not getrusage/wait4: their maxrss also counts the
    forked copy of this benchmark before exec.)"""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _serve(n_asn: int) -> tuple[subprocess.Popen[str], dict, float]:
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sinergi_simulator", "serve", "--seed", str(SEED),
         "--asn", str(n_asn), "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    info = json.loads(proc.stdout.readline())
    return proc, info, time.perf_counter() - started


def _read_all(info: dict, pid: int) -> tuple[int, float, float]:
    """(rows, seconds, server CPU seconds) of reading every participation once."""
    url = urlsplit(info["urls"]["bpsdm_kemendagri"])
    conn = http.client.HTTPConnection(url.hostname, url.port)
    headers = {"X-API-Key": info["credentials"]["kemendagri_api_key"]}
    rows, offset, total = 0, 0, None
    cpu, started = _cpu_seconds(pid), time.perf_counter()
    while total is None or offset < total:
        conn.request("GET", f"/api/v1/participations?offset={offset}&limit={PAGE}", headers=headers)
        body = conn.getresponse().read()
        # The envelope ends with "total":N}; the records are counted by their key.
        total = int(body[body.rindex(b'"total":') + 8 : -1])
        rows += body.count(b'{"partisipasi_id":')
        offset += PAGE
    conn.close()
    return rows, time.perf_counter() - started, _cpu_seconds(pid) - cpu


def _baselines(n_asn: int) -> tuple[float, float]:
    stream = build_sources(SEED, n_asn).participations
    started = time.perf_counter()
    pages = [b"[" + stream.page(s, s + PAGE) + b"]" for s in range(0, BASELINE_ROWS, PAGE)]
    generate = BASELINE_ROWS / (time.perf_counter() - started)
    records = [r for page in pages for r in json.loads(page)]
    started = time.perf_counter()
    for s in range(0, len(records), PAGE):
        json.dumps({"data": records[s : s + PAGE]}).encode()
    dumps = len(records) / (time.perf_counter() - started)
    return generate, dumps


_FILES = """
import sys
from pathlib import Path
from sinergi_simulator.cli import app
app(sys.argv[1:], standalone_mode=False)
print(next(l for l in Path("/proc/self/status").read_text().splitlines() if l.startswith("VmHWM")))
"""


def _files_peak_mb(n_asn: int, until: str) -> tuple[float, float]:
    """(seconds, peak RSS MB) of `sinergi simulate files --until` in its own process."""
    with tempfile.TemporaryDirectory(prefix="bench-sim-files-") as out:
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", _FILES, "files", "--seed", str(SEED), "--asn", str(n_asn),
             "--out", out, "--until", until],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        peak_kb = int(done.stdout.strip().splitlines()[-1].split()[1])
        return time.perf_counter() - started, peak_kb / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[100_000, 1_000_000])
    parser.add_argument("--files-until", help="also measure `simulate files --until` (ISO)")
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs)")
    print(f"{'ASN':>10} {'rows':>11} {'startup s':>9} {'HTTP rows/s':>11} {'srv µs/row':>10}"
          f" {'srv peak MB':>11} {'gen+encode rows/s':>17} {'json.dumps rows/s':>17}"
          + (f" {'files s':>7} {'files peak MB':>13}" if args.files_until else ""))  # fmt: skip
    peaks = []
    for n_asn in args.sizes:
        proc, info, startup = _serve(n_asn)
        try:
            rows, seconds, cpu = _read_all(info, proc.pid)
            rss = _peak_rss_mb(proc.pid)
        finally:
            proc.terminate()
            proc.wait()
        peaks.append(rss)
        generate, dumps = _baselines(n_asn)
        line = (f"{n_asn:>10,} {rows:>11,} {startup:>9.1f} {rows / seconds:>11,.0f}"
                f" {cpu / rows * 1e6:>10.2f} {rss:>11.0f}"
                f" {generate:>17,.0f} {dumps:>17,.0f}")  # fmt: skip
        if args.files_until:
            files_s, files_rss = _files_peak_mb(n_asn, args.files_until)
            line += f" {files_s:>7.0f} {files_rss:>13.0f}"
        print(line, flush=True)
    if len(peaks) > 1:
        print(f"server peak RSS, largest/smallest world: {peaks[-1] / peaks[0]:.2f}x "
              f"for {args.sizes[-1] / args.sizes[0]:.0f}x the ASN; "
              f"load average at end: {os.getloadavg()[0]:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
