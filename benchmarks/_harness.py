"""Shared pieces of the HTTP benchmarks: a throw-away PostgreSQL database, a `tvers serve`
subprocess, CPU accounting from /proc, and two load generators (wrk, or Python + httpx).

Everything here talks to loopback only and every loop is bounded in time.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing as mp
import os
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
CLK_TCK = os.sysconf("SC_CLK_TCK")


# --------------------------------------------------------------------------- database


def postgres_admin_url(cli_value: str | None) -> str:
    url = (
        cli_value
        or os.environ.get("TVERS_BENCH_POSTGRES_URL")
        or os.environ.get("TVERS_TEST_POSTGRES_URL")
        or DEFAULT_POSTGRES_URL
    )
    for plain in ("postgresql://", "postgres://"):
        if url.startswith(plain):
            return "postgresql+psycopg://" + url[len(plain) :]
    return url


@contextlib.contextmanager
def temporary_database(admin_url: str, *, prefix: str = "tvers_bench_") -> Iterator[str]:
    """Create a fresh database next to `admin_url`'s and drop it afterwards (also on failure)."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    name = f"{prefix}{secrets.token_hex(4)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            log(f"dropped database {name}")
    finally:
        admin.dispose()


def postgres_version(admin_url: str) -> str:
    from sqlalchemy import create_engine

    engine = create_engine(admin_url)
    try:
        with engine.connect() as connection:
            return str(connection.exec_driver_sql("SHOW server_version").scalar())
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- server


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tvers_command() -> list[str]:
    exe = Path(sys.executable).parent / "tvers"
    if exe.exists():
        return [str(exe)]
    return [sys.executable, "-c", "from tvers.cli import main; main()"]


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base_url: str
    workers: int
    log_path: Path

    def tree_pids(self) -> list[int]:
        return [self.process.pid, *descendants(self.process.pid)]

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@contextlib.contextmanager
def running_server(
    database_url: str, *, workers: int, startup_timeout: float = 90.0, extra_env: dict[str, str] | None = None
) -> Iterator[Server]:
    """`tvers serve` on a free loopback port; stopped (SIGTERM, then SIGKILL of its own group) on exit."""
    import httpx

    port = free_port()
    env = dict(os.environ, TVERS_DATABASE_URL=database_url, TVERS_RELAY_IN_SERVER="false", **(extra_env or {}))
    log_file = tempfile.NamedTemporaryFile(prefix="tvers-bench-server-", suffix=".log", delete=False)  # noqa: SIM115
    command = [*tvers_command(), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    process = subprocess.Popen(
        command, env=env, stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
    )
    server = Server(process=process, base_url=f"http://127.0.0.1:{port}", workers=workers, log_path=Path(log_file.name))
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"tvers serve exited with {process.returncode}:\n{server.log_tail()}")
            try:
                if httpx.get(f"{server.base_url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"tvers serve did not answer /healthz within {startup_timeout:.0f} s:\n{server.log_tail()}"
                )
            time.sleep(0.2)
        if workers > 1:
            _wait_for_workers(server, workers, deadline)
        yield server
    finally:
        _stop(process)
        log_file.close()
        with contextlib.suppress(OSError):
            os.unlink(log_file.name)


def _wait_for_workers(server: Server, workers: int, deadline: float) -> None:
    """With several workers, /healthz answers as soon as the first is up: give the others time
    to import the app too (each worker's CPU time settles once it has) before load starts."""
    previous = -1.0
    while time.monotonic() < deadline:
        children = descendants(server.process.pid)
        used = cpu_seconds(children)
        if len(children) >= workers and abs(used - previous) < 0.05:
            return
        previous = used
        time.sleep(0.5)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=20)
    # Whatever is left of the group we started (its id is the server's pid).
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)


# --------------------------------------------------------------------------- /proc accounting


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rfind(")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def cpu_seconds(pids: Sequence[int]) -> float:
    """User + system CPU seconds used so far by these processes (those still alive)."""
    return sum(cpu_by_pid(pids).values())


def cpu_by_pid(pids: Sequence[int]) -> dict[int, float]:
    found = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        found[pid] = (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime
    return found


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine spent not idle (all cores)."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values[:8]) - idle) / CLK_TCK


def postgres_backends(database: str) -> list[int]:
    """PostgreSQL backends serving `database`, found by their process title ("postgres: [cluster:] user db host ...").
    Only works when PostgreSQL runs on this machine, visible in /proc; otherwise none are found."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                words = f.read().replace(b"\0", b" ").split()
        except OSError:
            continue
        if not words or words[0] != b"postgres:":
            continue
        if len(words) > 1 and words[1].endswith(b":"):  # "postgres: 15/main: user db ..." (cluster_name set)
            words = words[1:]
        if len(words) >= 3 and words[2].decode(errors="replace") == database:
            found.append(int(entry))
    return found


class CpuMeter:
    """CPU used over a window by the server's processes, the PostgreSQL backends of the bench database
    (sampled every 0.2 s, so short-lived backends of a churning pool are counted too) and the whole machine."""

    def __init__(self, server: Server, database: str) -> None:
        self.server, self.database = server, database

    def _sample(self) -> None:
        for pid, used in cpu_by_pid(postgres_backends(self.database)).items():
            self._pg_seen[pid] = max(used, self._pg_seen.get(pid, 0.0))
            self._pg_pids_seen.add(pid)

    def _sampler(self) -> None:
        while not self._halt.wait(0.2):
            self._sample()

    def start(self) -> None:
        self._pg_seen: dict[int, float] = {}
        self._pg_pids_seen: set[int] = set()
        self._sample()
        self._pg0 = dict(self._pg_seen)
        self._server_pids = self.server.tree_pids()
        self._server0 = cpu_by_pid(self._server_pids)
        self._machine0 = machine_busy_seconds()
        self._t0 = time.monotonic()
        self._halt = threading.Event()
        self._thread = threading.Thread(target=self._sampler, daemon=True, name="cpu-meter")
        self._thread.start()

    def stop(self) -> dict[str, float]:
        self._halt.set()
        self._thread.join(timeout=5)
        self._sample()
        machine = machine_busy_seconds() - self._machine0
        wall = time.monotonic() - self._t0
        after = cpu_by_pid(self.server.tree_pids())
        # Busiest `workers` processes of the tree (uvicorn's supervisor has helper children too).
        per_worker = sorted(
            (after[p] - self._server0.get(p, 0.0)) / wall
            for p in after
            if p != self.server.process.pid or self.server.workers == 1
        )[-self.server.workers :]
        server = _delta(self._server0, after) / wall
        pg = _delta(self._pg0, self._pg_seen) / wall
        return {
            "server_cores": server,
            "postgres_cores": pg,
            "machine_cores": machine / wall,
            "postgres_backends": float(len(self._pg_pids_seen)),
            "busiest_worker_cores": per_worker[-1] if per_worker else server,
            "idlest_worker_cores": per_worker[0] if per_worker else server,
        }


def _delta(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(max(0.0, used - before.get(pid, 0.0)) for pid, used in after.items())


# --------------------------------------------------------------------------- results


@dataclass
class RunResult:
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    client_cores: float
    load: str
    cpu: dict[str, float] = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "rps": self.rps}


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default) on sorted data."""
    if not sorted_values:
        return float("nan")
    position = (len(sorted_values) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- load: wrk


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


_WRK_SCRIPT = r"""
-- Generated by benchmarks/_harness.py: GET a random path with a bearer key; count non-200.
local paths = { %(paths)s }
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("thread_number", counter)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(%(seed)d * 1000 + thread_number)
  wrk.headers["Authorization"] = "Bearer %(key)s"
  non200 = 0
  responses = 0
end

function request()
  return wrk.format("GET", paths[math.random(#paths)])
end

function response(status, headers, body)
  responses = responses + 1
  if status ~= 200 then non200 = non200 + 1 end
end

function done(summary, latency, requests)
  local non200_total, responses_total = 0, 0
  for _, thread in ipairs(threads) do
    non200_total = non200_total + thread:get("non200")
    responses_total = responses_total + thread:get("responses")
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests": %%d, "duration_us": %%d, "non200": %%d, "responses": %%d, ' ..
    '"connect": %%d, "read": %%d, "write": %%d, "timeout": %%d, "status": %%d, ' ..
    '"p50_us": %%d, "p90_us": %%d, "p99_us": %%d, "max_us": %%d}\n',
    summary.requests, summary.duration, non200_total, responses_total,
    e.connect, e.read, e.write, e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
"""


def wrk_run(
    base_url: str,
    paths: Sequence[str],
    api_key: str,
    *,
    clients: int,
    seconds: float,
    seed: int,
    threads: int = 2,
    on_start: object = None,
    on_stop: object = None,
) -> RunResult:
    """One closed-loop wrk run: `clients` keep-alive connections, each sending the next request
    as soon as the previous answer arrives. Latency percentiles come from wrk (µs resolution)."""
    import resource

    lua = _WRK_SCRIPT % {"paths": ", ".join(json.dumps(p) for p in paths), "seed": seed, "key": api_key}
    with tempfile.NamedTemporaryFile("w", prefix="tvers-bench-", suffix=".lua", delete=False) as script:
        script.write(lua)
    try:
        command = [
            "wrk",
            "-t",
            str(max(1, min(threads, clients))),
            "-c",
            str(clients),
            "-d",
            f"{max(1, round(seconds))}s",
            "--timeout",
            "30s",
            "-s",
            script.name,
            base_url,
        ]
        usage0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        if callable(on_start):
            on_start()
        started = time.monotonic()
        done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)
        wall = time.monotonic() - started
        cpu = on_stop() if callable(on_stop) else {}
        usage1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    finally:
        os.unlink(script.name)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("WRK_RESULT ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    data = json.loads(line.removeprefix("WRK_RESULT "))
    client_cpu = (usage1.ru_utime - usage0.ru_utime) + (usage1.ru_stime - usage0.ru_stime)
    errors = data["non200"] + data["connect"] + data["read"] + data["write"] + data["timeout"]
    return RunResult(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        errors=errors,
        p50_ms=data["p50_us"] / 1000,
        p90_ms=data["p90_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        max_ms=data["max_us"] / 1000,
        client_cores=client_cpu / wall,
        load=f"wrk -t{min(threads, clients)}",
        cpu=cpu if isinstance(cpu, dict) else {},
    )


# --------------------------------------------------------------------------- load: Python + httpx


@dataclass
class _Phase:
    latencies: list[float]
    errors: int
    elapsed: float
    cpu: float


def _thread_phase(
    base_url: str, paths: Sequence[str], headers: dict[str, str], clients: int, seconds: float, seed: int
) -> _Phase:
    import httpx

    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    last = [0.0] * clients
    start_gate = threading.Barrier(clients + 1)
    deadline_box: list[float] = []

    def client(i: int) -> None:
        rng = random.Random(seed * 1000 + i)
        mine = latencies[i]
        with httpx.Client(base_url=base_url, headers=headers, timeout=30.0) as http:
            start_gate.wait(timeout=60)
            deadline = deadline_box[0]
            now = time.perf_counter()
            while now < deadline:
                try:
                    ok = http.get(rng.choice(paths)).status_code == 200
                except httpx.HTTPError:
                    ok = False
                done = time.perf_counter()
                mine.append(done - now)
                if not ok:
                    errors[i] += 1
                now = done
            last[i] = now

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    cpu0 = sum(os.times()[:2])
    start = time.perf_counter()
    deadline_box.append(start + seconds)
    start_gate.wait(timeout=60)
    for t in threads:
        t.join(timeout=seconds + 60)
    cpu = sum(os.times()[:2]) - cpu0
    return _Phase([x for xs in latencies for x in xs], sum(errors), max(last) - start, cpu)


def _async_phase(
    base_url: str, paths: Sequence[str], headers: dict[str, str], clients: int, seconds: float, seed: int
) -> _Phase:
    import asyncio

    import httpx

    async def main() -> _Phase:
        latencies: list[float] = []
        errors = 0
        last = 0.0
        http = [httpx.AsyncClient(base_url=base_url, headers=headers, timeout=30.0) for _ in range(clients)]
        deadline = 0.0

        async def client(i: int) -> None:
            nonlocal errors, last
            rng = random.Random(seed * 1000 + i)
            now = time.perf_counter()
            while now < deadline:
                try:
                    ok = (await http[i].get(rng.choice(paths))).status_code == 200
                except httpx.HTTPError:
                    ok = False
                done = time.perf_counter()
                latencies.append(done - now)
                errors += 0 if ok else 1
                now = done
            last = max(last, now)

        try:
            cpu0 = sum(os.times()[:2])
            start = time.perf_counter()
            deadline = start + seconds
            await asyncio.gather(*(client(i) for i in range(clients)))
            cpu = sum(os.times()[:2]) - cpu0
        finally:
            for c in http:
                await c.aclose()
        return _Phase(latencies, errors, last - start, cpu)

    try:
        import uvloop

        return uvloop.run(main())
    except ImportError:
        return asyncio.run(main())


def _load_process(
    mode: str,
    base_url: str,
    paths: list[str],
    headers: dict[str, str],
    clients: int,
    warmup: float,
    seconds: float,
    seed: int,
    barrier: object,
    results: object,
) -> None:
    phase = _thread_phase if mode == "threads" else _async_phase
    try:
        barrier.wait()  # type: ignore[attr-defined]  # everyone imported and ready
        if warmup > 0:
            phase(base_url, paths, headers, clients, warmup, seed + 7919)
        barrier.wait()  # type: ignore[attr-defined]  # measured phase starts (fresh connections)
        measured = phase(base_url, paths, headers, clients, seconds, seed)
        barrier.wait()  # type: ignore[attr-defined]  # measured phase over
        results.put(("ok", measured.latencies, measured.errors, measured.elapsed, measured.cpu))  # type: ignore[attr-defined]
    except BaseException as error:  # report, never hang the parent
        with contextlib.suppress(Exception):
            barrier.abort()  # type: ignore[attr-defined]
        results.put(("error", repr(error), 0, 0.0, 0.0))  # type: ignore[attr-defined]


def python_run(
    base_url: str,
    paths: Sequence[str],
    api_key: str,
    *,
    clients: int,
    seconds: float,
    warmup: float,
    seed: int,
    mode: str = "threads",
    processes: int = 1,
    on_start: object = None,
    on_stop: object = None,
) -> RunResult:
    """Closed-loop load from `processes` separate processes (spawned), `clients` keep-alive httpx
    clients in all, as threads (sync httpx.Client) or asyncio tasks (httpx.AsyncClient)."""
    ctx = mp.get_context("spawn")
    processes = max(1, min(processes, clients))
    barrier = ctx.Barrier(processes + 1)
    results = ctx.Queue()
    headers = {"Authorization": f"Bearer {api_key}"}
    shares = [clients // processes + (1 if i < clients % processes else 0) for i in range(processes)]
    workers = [
        ctx.Process(
            target=_load_process,
            args=(mode, base_url, list(paths), headers, share, warmup, seconds, seed * 31 + i, barrier, results),
            daemon=True,
        )
        for i, share in enumerate(shares)
    ]
    for w in workers:
        w.start()
    cpu: object = {}
    try:
        barrier.wait(timeout=120)
        barrier.wait(timeout=warmup + 120)
        if callable(on_start):
            on_start()
        barrier.wait(timeout=seconds + 120)
        if callable(on_stop):
            cpu = on_stop()
        outcomes = [results.get(timeout=120) for _ in workers]
    finally:
        for w in workers:
            w.join(timeout=30)
            if w.is_alive():
                w.kill()
    failures = [o[1] for o in outcomes if o[0] != "ok"]
    if failures:
        raise RuntimeError(f"load process failed: {failures}")
    latencies = sorted(x for o in outcomes for x in o[1])
    errors = sum(o[2] for o in outcomes)
    rps = sum(len(o[1]) / o[3] for o in outcomes if o[3] > 0)
    elapsed = len(latencies) / rps if rps else 0.0
    client_cores = sum(o[4] / o[3] for o in outcomes if o[3] > 0)
    return RunResult(
        requests=len(latencies),
        seconds=elapsed,
        errors=errors,
        p50_ms=percentile(latencies, 50) * 1000,
        p90_ms=percentile(latencies, 90) * 1000,
        p99_ms=percentile(latencies, 99) * 1000,
        max_ms=(latencies[-1] * 1000 if latencies else float("nan")),
        client_cores=client_cores,
        load=f"httpx-{mode} x{processes} proc",
        cpu=cpu if isinstance(cpu, dict) else {},
    )
