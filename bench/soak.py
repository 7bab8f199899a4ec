"""Soak test: the site under steady load on loopback, checking for errors and memory growth.

Starts gunicorn on 127.0.0.1 over a freshly loaded embedded store, drives it with wrk at a fixed
number of connections for a bounded time across a mix of pages (cases, concept pages, search, the
console), samples the workers' memory every few seconds, and prints a verdict:
zero errors (non-2xx/3xx answers and socket errors) and flat memory (the last third of the run
grows less than 10% over the first third).

    python bench/soak.py                      # 5 minutes at 32 connections (the documented run)
    python bench/soak.py --seconds 30         # a quick check

Needs wrk (Debian package `wrk`) and gunicorn (requirements-dev.txt). Traffic stays on loopback
and stops by itself.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PATHS = ["/", "/cases", "/cases/buurtzorg", "/cases/zappos.json", "/cases/morning-star",
         "/practices/self-managing-teams", "/challenges/staff-attrition", "/search?q=holacracy",
         "/compare?case=buurtzorg", "/patterns", "/query?example=example_contested_claims",
         "/sources", "/cases?sector=home-care", "/nope-404"]
_LUA = """
paths = {%s}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
response = function(status, headers, body)
  if status >= 500 then
    server_errors = (server_errors or 0) + 1
  end
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        match = re.search(r"VmRSS:\s+(\d+) kB", status)
        total += int(match.group(1)) if match else 0
    return total / 1024


def worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    try:
        return [master, *map(int, children.read_text().split())]
    except OSError:
        return [master]


def wait_for(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not start on port {port}")


def warm_up(port: int, rounds: int) -> None:
    """Request every path a few times so caches are built before memory is sampled."""
    import contextlib
    import urllib.error
    import urllib.request

    for _ in range(rounds):
        for path in PATHS:
            with contextlib.suppress(urllib.error.HTTPError):
                urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60).read()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=300)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    work = Path(tempfile.mkdtemp(prefix="kb-soak-"))
    store = work / "store"
    subprocess.run([sys.executable, "graph_loader.py", "load", "--quiet", "--store", str(store)], cwd=REPO,
                   check=True)
    port = free_port()
    env = {**os.environ, "KB_STORE_PATH": str(store), "KB_RATE_LIMITS": "false"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
         "--threads", str(args.threads), "--log-level", "warning", "webapp:create_app()"],
        cwd=REPO, env=env)
    try:
        wait_for(port)
        warm_up(port, args.workers * args.threads)
        script = work / "mix.lua"
        script.write_text(_LUA % ", ".join(f'"{p}"' for p in PATHS))
        wrk = subprocess.Popen(["wrk", "-t", "2", "-c", str(args.connections), "-d", f"{args.seconds}s",
                                "--timeout", "10s",
                                "--latency", "-s", str(script), f"http://127.0.0.1:{port}/"],
                               stdout=subprocess.PIPE, text=True)
        samples: list[tuple[float, float]] = []
        started = time.monotonic()
        while wrk.poll() is None:
            samples.append((time.monotonic() - started, rss_mb(worker_pids(server.pid))))
            time.sleep(5)
        output = wrk.stdout.read()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
    return report(output, samples, args)


def report(output: str, samples: list[tuple[float, float]], args: argparse.Namespace) -> int:
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    non_2xx = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", output)) else 0
    socket_errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE).group(1)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE).group(1)
    rate = re.search(r"Requests/sec:\s+(\S+)", output).group(1)
    third = max(len(samples) // 3, 1)
    first = sum(m for _, m in samples[:third]) / third
    last = sum(m for _, m in samples[-third:]) / third
    growth = (last - first) / first * 100 if first else 0.0
    expected_404 = requests // len(PATHS)  # one path in the mix is a deliberate 404
    errors = max(non_2xx - expected_404 - 1, 0) + socket_errors
    print(f"soak: {args.seconds} s at {args.connections} connections, gunicorn {args.workers}x{args.threads}")
    print(f"  requests        {requests:,} ({rate} req/s), latency p50 {p50}, p99 {p99}")
    print(f"  errors          {errors} (non-2xx beyond the deliberate 404s, plus socket errors {socket_errors})")
    print(f"  memory (RSS)    first third {first:.0f} MB, last third {last:.0f} MB, growth {growth:+.1f}%, "
          f"max {max(m for _, m in samples):.0f} MB over {len(samples)} samples")
    ok = errors == 0 and growth < 10
    print(f"  verdict         {'PASS' if ok else 'FAIL'} (zero errors and memory growth under 10%)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
