"""Benchmarks of the supporter flow: throughput, in-process cost, memory and page weight.

Run ``bash benchmarks/run`` (``--help`` lists the knobs); benchmarks/README.md explains the table.
Everything runs on this machine: gunicorn on loopback, wrk as the load, and a local stub in place
of postcodes.io. The instance folder and SQLite database are temporary and removed at the end.
"""

import argparse
import copy
import gzip
import http.client
import json
import os
import platform
import re
import resource
import runpy
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from importlib.metadata import version
from pathlib import Path
from urllib.parse import quote_plus
from urllib.parse import unquote
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "benchmarks"
EXAMPLE = json.loads((ROOT / "advocacy" / "example_campaign.json").read_text(encoding="utf-8"))
SLUG: str = EXAMPLE["slug"]
# Every benchmark postcode is in England or Wales: the points ticked by default there.
POINTS = tuple(
    p["id"]
    for p in EXAMPLE["talking_points"]
    if p.get("default_selected") and "england" in p.get("when", {}).get("nation", ["england"])
)
ANSWERS = {
    "why": "I walk through the station every day and I don't want my face scanned to do it.",
    "local": "The high street by the market, where the cameras were used last spring.",
}
assert set(ANSWERS) == {p["id"] for p in EXAMPLE["prompts"]}, "example campaign prompts changed"
# England (Met, Greater Manchester, Kent) and Wales: each has an MP, a force and an oversight body.
POSTCODES = ("SE1 2DL", "M1 1AD", "BR8 7RE", "CF24 3AA")
FIXTURES = (
    ROOT / "tests" / "data" / "postcodes_io",
    ROOT.parent / "shared" / "fixtures" / "postcodes_io",
)
HIGH_LIMIT = "10000000 per minute"
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
GZIP_LEVEL = 6
MEMORY_LIMIT_MIB = 120.0
GROWTH_TOLERANCE_MIB = 2.0
COMPOSE_LIMIT_US = 1000.0
# The surge (issue 23): postcodes.io answering in 300 ms, then not at all, under 64 connections.
HUNG = float("inf")
MAX_HOLD = 60.0  # seconds a "hung" answer is held at most, so no loop is unbounded
SURGE_CONNECTIONS = 64
SURGE_DELAY = 0.3
MIN_COLD_LOOKUPS = SURGE_CONNECTIONS / SURGE_DELAY / 2  # half the limit: 107 a second
MAX_PAGE_P99_MS = 100.0
MAX_HUNG_WAIT_MS = 4000.0
CONTROL = "no surge"  # the surge table's row for the campaign page alone


def log(message: str) -> None:
    """Progress on stderr, so stdout holds only the table."""
    print(f"· {message}", file=sys.stderr, flush=True)


# --- Requests ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Req:
    """One HTTP request the benchmark sends."""

    method: str
    path: str
    body: bytes | None = None
    content_type: str | None = None


@dataclass(frozen=True)
class Endpoint:
    """What wrk loads: requests sent in turn, and the least ratio to the baseline, if any."""

    label: str
    requests: tuple[Req, ...]
    min_ratio: float | None = None


def compact(postcode: str) -> str:
    """A postcode as postcodes.io is asked for it: upper case, no spaces."""
    return "".join(postcode.split()).upper()


def letters_form(postcode: str, name: str) -> Req:
    """The form the choose step posts (templates/supporters/choose.html)."""
    fields = [("postcode", postcode), ("name", name), ("address", "1 High Street")]
    fields += [("talking_points", p) for p in POINTS]
    fields += [(f"answer-{k}", v) for k, v in ANSWERS.items()]
    return Req("POST", f"/c/{SLUG}/letters", urlencode(fields).encode(), FORM)


def letters_api(postcode: str, name: str) -> Req:
    """A letters request to the JSON API (advocacy/letters/letter_request.py)."""
    body = {
        "postcode": postcode,
        "name": name,
        "address": "1 High Street",
        "talking_points": list(POINTS),
        "answers": ANSWERS,
    }
    return Req("POST", f"/api/v1/campaigns/{SLUG}/letters", json.dumps(body).encode(), JSON)


def postcode_step(postcode: str) -> Req:
    return Req("GET", f"/c/{SLUG}?postcode={quote_plus(postcode)}")


# Floors from issue 23 (ratio to the bare Flask baseline in the same run, on the server as
# shipped, quiet machine); they replace issue 17's targets for the letters.
BASELINE = Endpoint("baseline: bare Flask JSON", (Req("GET", "/baseline/"),))
CAMPAIGN = Endpoint("campaign page", (Req("GET", f"/c/{SLUG}"),), min_ratio=0.90)
POSTCODE = Endpoint(
    "postcode step, warm cache",
    tuple(postcode_step(pc) for pc in POSTCODES),
    min_ratio=0.65,
)
LETTERS = Endpoint(
    "letters POST (form)",
    tuple(letters_form(pc, f"Supporter {i}") for i, pc in enumerate(POSTCODES)),
    min_ratio=0.25,
)
API = Endpoint(
    "letters API (JSON)",
    tuple(letters_api(pc, f"Supporter {i}") for i, pc in enumerate(POSTCODES)),
    min_ratio=0.40,
)
APP_ENDPOINTS = (CAMPAIGN, POSTCODE, LETTERS, API)


def mix(i: int) -> Req:
    """The i-th request of the memory run: the four app endpoints in turn, a new name each time."""
    postcode = POSTCODES[(i // 4) % len(POSTCODES)]
    name = f"Supporter {i}"
    return (
        CAMPAIGN.requests[0],
        postcode_step(postcode),
        letters_form(postcode, name),
        letters_api(postcode, name),
    )[i % 4]


def fetch(port: int, req: Req, timeout: float = 30.0) -> tuple[int, bytes]:
    """Send one request on a fresh connection; the status and body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Content-Type": req.content_type} if req.content_type else {}
        conn.request(req.method, req.path, body=req.body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- postcodes.io stub -------------------------------------------------------------------------


class Stub:
    """postcodes.io on loopback, answering ``GET /postcodes/<pc>`` with recorded bodies.

    For the surge, ``delay`` holds each answer that many seconds (``HUNG``: no answer at all,
    until the benchmark ends), and a postcode it has no recording for is answered in the real
    shape: the recorded answer for SE1 2DL with the postcode asked for in it.
    """

    def __init__(self) -> None:
        folder = next((d for d in FIXTURES if d.is_dir()), None)
        if folder is None:
            raise SystemExit("No postcodes.io fixtures found in tests/data or ../shared/fixtures.")
        self.folder = folder
        self.bodies: dict[str, bytes] = {}
        for path in folder.glob("postcode_200_*.json"):
            parts = path.stem.split("_")
            self.bodies[parts[2] + parts[3]] = path.read_bytes()
        missing = [pc for pc in POSTCODES if compact(pc) not in self.bodies]
        if missing:
            raise SystemExit(f"No recorded postcodes.io answer for {missing} in {folder}.")
        self.not_found = (folder / "postcode_404_not_found.json").read_bytes()
        self.template = json.loads(self.bodies[compact(POSTCODES[0])])
        self.delay = 0.0
        self.any_postcode = False  # answer unrecorded postcodes from the template
        self.stopping = threading.Event()  # ends held answers when the benchmark ends
        self.calls: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def body(self, key: str) -> bytes | None:
        """The answer for a compact postcode: recorded, made from the template, or None."""
        body = self.bodies.get(key)
        if body is None and self.any_postcode and 5 <= len(key) <= 7:
            answer = copy.deepcopy(self.template)
            answer["result"]["postcode"] = f"{key[:-3]} {key[-3:]}"
            body = json.dumps(answer).encode()
        return body

    def result(self, postcode: str) -> dict:
        """The recorded postcode object for a postcode."""
        return json.loads(self.bodies[compact(postcode)])["result"]

    def total(self) -> int:
        with self._lock:
            return sum(self.calls.values())

    def count(self, postcode: str) -> int:
        with self._lock:
            return self.calls[compact(postcode)]

    @contextmanager
    def running(self) -> Iterator[str]:
        """Serve in a background thread; yields the base URL."""
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                match = re.fullmatch(r"/postcodes/([^/?]+)", self.path)
                key = compact(unquote(match.group(1))) if match else ""
                with stub._lock:
                    stub.calls[key] += 1
                if stub.delay:
                    stub.stopping.wait(min(stub.delay, MAX_HOLD))
                    if stub.delay >= HUNG:
                        self.close_connection = True
                        return
                body = stub.body(key)
                self.send_response(200 if body else 404)
                body = body or stub.not_found
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 256  # a surge's connections arrive together

            def handle_error(self, request: object, client_address: object) -> None:
                pass  # the app hangs up on held answers by design

        self._server = Server(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{self._server.server_address[1]}"
        finally:
            self.stopping.set()
            self._server.shutdown()
            self._server.server_close()


# --- gunicorn ----------------------------------------------------------------------------------


def children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (gunicorn's workers)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        if int(text.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(stat.parent.name))
    return sorted(found)


def rss_mib(pid: int) -> float:
    """Resident memory of a process (VmRSS), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


@dataclass
class Server:
    port: int
    proc: subprocess.Popen
    log: Path

    def workers(self) -> list[int]:
        return children(self.proc.pid)


def app_env(tmp: Path, stub_url: str) -> dict[str, str]:
    """The environment for gunicorn: ours, without any ADVOCACY_* settings of the caller's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADVOCACY_")}
    env.update(
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
        ADVOCACY_INSTANCE_PATH=str(tmp / "instance"),
        ADVOCACY_SECRET_KEY="benchmark",
        ADVOCACY_POSTCODES_IO_URL=stub_url,
        ADVOCACY_API_LOOKUP_RATE_LIMIT=HIGH_LIMIT,
        ADVOCACY_API_LETTERS_RATE_LIMIT=HIGH_LIMIT,
        ADVOCACY_RATELIMIT_STORAGE_URI="memory://",
    )
    return env


@dataclass(frozen=True)
class Model:
    """A way for gunicorn to serve: the shipped gunicorn.conf.py, or a candidate laid over it."""

    name: str
    options: tuple[str, ...] = ()  # gunicorn command-line options over the config file


SHIPPED = Model("as shipped")
# --compare: the serving models issue 23 weighed, each with the config file's worker count.
CANDIDATES = {
    "sync": Model("sync", ("--worker-class", "sync", "--threads", "1")),
    # The config file's threads, with gunicorn's default keep-alive (2 s).
    "gthread-keepalive": Model(
        "gthread-keepalive", ("--worker-class", "gthread", "--keep-alive", "2")
    ),
    "gevent": Model("gevent", ("--worker-class", "gevent", "--worker-connections", "1000")),
}


def shipped_config() -> dict[str, object]:
    """The settings gunicorn.conf.py gives (workers, worker class, threads), as gunicorn reads
    them."""
    from gunicorn.config import Config

    config = Config()
    for name, value in runpy.run_path(str(ROOT / "gunicorn.conf.py")).items():
        if name in config.settings:
            config.set(name, value)
    return {
        "workers": config.workers,
        "worker_class": config.worker_class_str,
        "threads": config.threads,
        "keepalive": config.keepalive,
    }


def describe(model: Model) -> str:
    """Workers, class and threads of a model in words."""
    conf = shipped_config()
    opts = dict(zip(model.options[::2], model.options[1::2], strict=True))
    kind = opts.get("--worker-class", conf["worker_class"])
    threads = int(opts.get("--threads", conf["threads"]))
    keepalive = int(opts.get("--keep-alive", conf["keepalive"]))
    if kind == "sync" and threads > 1:
        kind = "gthread"  # what gunicorn does
    what = f"{opts.get('--workers', conf['workers'])} {kind} workers"
    if kind == "gthread":
        what += f" x {threads} threads"
    if kind == "gevent":
        what += f" x {opts.get('--worker-connections', 1000)} connections"
    if kind != "sync":
        what += f", keep-alive {f'{keepalive} s' if keepalive else 'off'}"
    return what


@contextmanager
def gunicorn(
    env: dict[str, str], tmp: Path, model: Model = SHIPPED, workers: int | None = None
) -> Iterator[Server]:
    """gunicorn with the shipped gunicorn.conf.py, serving benchmarks/app.py; stopped at the end.

    The access log is formatted as in production (scrubbed) but written to /dev/null. A
    ``model`` other than the shipped one, or ``workers``, override the config file.
    """
    port = free_port()
    log_path = tmp / f"gunicorn-{port}.log"
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        str(ROOT / "gunicorn.conf.py"),
        "--bind",
        f"127.0.0.1:{port}",
        *(["--workers", str(workers)] if workers else []),
        "--access-logfile",
        "/dev/null",
        *model.options,
        "benchmarks.app:create()",
    ]
    workers = workers or int(shipped_config()["workers"])
    with open(log_path, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = Server(port, proc, log_path)
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not start:\n{log_path.read_text()[-3000:]}")
            try:
                if fetch(port, BASELINE.requests[0], timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        while len(server.workers()) < workers and time.monotonic() < deadline:
            time.sleep(0.1)
        yield server
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def check(port: int, endpoint: Endpoint) -> None:
    """Every request of an endpoint answers 200 with what it should, before wrk loads it."""
    for req in endpoint.requests:
        status, body = fetch(port, req)
        ok = status == 200
        if ok and req.path.startswith("/api/"):
            ok = len(json.loads(body)["letters"]) > 0
        elif ok and req.path.endswith("/letters"):
            ok = b"Your letters" in body
        if not ok:
            raise SystemExit(f"{req.method} {req.path} answered {status}:\n{body[:2000]!r}")


def warm_lookups(port: int, stub: Stub, workers: int) -> bool:
    """Look each postcode up until every worker has it cached (one stub call per worker)."""
    reqs = [postcode_step(pc) for pc in POSTCODES] * 4
    with ThreadPoolExecutor(8) as pool:
        for _ in range(50):
            list(pool.map(lambda r: fetch(port, r), reqs))
            if all(stub.count(pc) >= workers for pc in POSTCODES):
                return True
    return False


# --- Throughput --------------------------------------------------------------------------------


@dataclass
class Load:
    """One wrk run."""

    label: str
    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    detail: dict[str, int]
    min_ratio: float | None = None
    ratio: float | None = None


def wrk(port: int, endpoint: Endpoint, seconds: float, args: argparse.Namespace, tmp: Path) -> Load:
    """Load one endpoint with wrk (benchmarks/wrk.lua) and read its JSON summary."""
    lua_args = [endpoint.requests[0].method, endpoint.requests[0].content_type or "-"]
    for i, req in enumerate(endpoint.requests):
        body = "-"
        if req.body is not None:
            body_file = tmp / f"body-{abs(hash(endpoint.label))}-{i}"
            body_file.write_bytes(req.body)
            body = str(body_file)
        lua_args += [req.path, body]
    cmd = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{round(seconds)}s",
        "--latency",
        "--timeout",
        "5s",
        "-s",
        str(HERE / "wrk.lua"),
        f"http://127.0.0.1:{port}",
        "--",
        *lua_args,
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    line = next((x for x in out.stdout.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        raise SystemExit(f"wrk failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
    data = json.loads(line[len("BENCH ") :])
    detail = {k: data[k] for k in ("status", "connect", "read", "write", "timeout")}
    return Load(
        endpoint.label,
        data["requests"],
        data["requests"] / (data["duration_us"] / 1e6),
        data["p50_us"] / 1000,
        data["p99_us"] / 1000,
        sum(detail.values()),
        detail,
        endpoint.min_ratio,
    )


def throughput(server: Server, args: argparse.Namespace, tmp: Path) -> list[Load]:
    """Each endpoint in rounds, each run between two baseline runs; its ratio is the median, over
    the rounds, of its req/s over the mean of the baselines either side of it.

    Why rounds: on this shared machine the baseline drifts by up to 20% within one run (other
    tenants, CPU frequency), so a ratio to baselines a minute away carries that drift into the
    verdict; baselines seconds away, taken several times, don't."""
    seconds = max(1, round(args.duration / args.rounds))
    for endpoint in (BASELINE, *APP_ENDPOINTS):
        if args.warmup > 0:
            log(f"wrk: {endpoint.label} ({args.warmup:g} s warm-up)")
            wrk(server.port, endpoint, args.warmup, args, tmp)
    runs: dict[str, list[Load]] = {endpoint.label: [] for endpoint in (BASELINE, *APP_ENDPOINTS)}
    ratios: dict[str, list[float]] = {endpoint.label: [] for endpoint in APP_ENDPOINTS}
    for round_no in range(1, args.rounds + 1):
        log(f"wrk: round {round_no} of {args.rounds}, {seconds} s per run, baseline between each")
        before = wrk(server.port, BASELINE, seconds, args, tmp)
        runs[BASELINE.label].append(before)
        for endpoint in APP_ENDPOINTS:
            load = wrk(server.port, endpoint, seconds, args, tmp)
            after = wrk(server.port, BASELINE, seconds, args, tmp)
            runs[endpoint.label].append(load)
            runs[BASELINE.label].append(after)
            ratios[endpoint.label].append(load.rps / ((before.rps + after.rps) / 2))
            before = after
    loads = [combined(runs[endpoint.label], endpoint) for endpoint in (BASELINE, *APP_ENDPOINTS)]
    for load in loads[1:]:
        load.ratio = statistics.median(ratios[load.label])
    loads[0].ratio = 1.0
    baselines = [load.rps for load in runs[BASELINE.label]]
    # The spread shows how much the machine drifted under the rounds.
    loads[0].label = f"baseline ({len(baselines)} runs, {min(baselines):.0f}-{max(baselines):.0f})"
    return loads


def combined(runs: list[Load], endpoint: Endpoint) -> Load:
    """An endpoint's runs as one row: requests and errors summed, req/s and p50 averaged, the
    worst p99."""
    detail: Counter[str] = Counter()
    for run in runs:
        detail.update(run.detail)
    return Load(
        endpoint.label,
        sum(run.requests for run in runs),
        statistics.mean(run.rps for run in runs),
        statistics.mean(run.p50_ms for run in runs),
        max(run.p99_ms for run in runs),
        sum(run.errors for run in runs),
        dict(detail),
        endpoint.min_ratio,
    )


# --- Surge -------------------------------------------------------------------------------------


@dataclass
class Surge:
    """One surge run: cold lookups from 64 connections, the campaign page timed beside them."""

    label: str
    seconds: float
    requests: int
    found: int  # answers with the place found (the choose step)
    lists: int  # answers with the lists offered
    other: int  # any other answer
    p50_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    page: Load
    upstream: int  # lookups that reached the stub

    @property
    def found_per_s(self) -> float:
        return self.found / self.seconds


def surge_wrk(port: int, seconds: float, *lua_args: str, connections: int, threads: int) -> list:
    return [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{round(seconds)}s",
        "--latency",
        "--timeout",
        "10s",
        "-s",
        str(HERE / "surge.lua"),
        f"http://127.0.0.1:{port}",
        "--",
        *lua_args,
    ]


def bench_line(out: subprocess.CompletedProcess | tuple[str, str], what: str) -> dict:
    stdout = out[0] if isinstance(out, tuple) else out.stdout
    line = next((x for x in stdout.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        raise SystemExit(f"wrk ({what}) failed:\n{stdout}")
    return json.loads(line[len("BENCH ") :])


def surge(server: Server, stub: Stub, seconds: float) -> list[Surge]:
    """postcodes.io answering in 300 ms, then hung: each a fresh set of postcodes (outward codes
    N1, N2, … then E1, E2, …), so every lookup is cold; the campaign page timed beside."""
    log(f"surge: the campaign page alone first, {seconds:g} s (the control)")
    alone = bench_line(
        subprocess.run(
            surge_wrk(server.port, seconds, "page", SLUG, connections=4, threads=1),
            capture_output=True,
            text=True,
            check=False,
        ),
        "campaign page alone",
    )
    runs = [
        Surge(
            CONTROL,
            alone["duration_us"] / 1e6,
            0,
            0,
            0,
            0,
            0.0,
            0.0,
            0.0,
            0,
            Load(
                "campaign page",
                alone["requests"],
                alone["requests"] / (alone["duration_us"] / 1e6),
                alone["p50_us"] / 1000,
                alone["p99_us"] / 1000,
                sum(alone[k] for k in ("status", "connect", "read", "write", "timeout")),
                {},
            ),
            0,
        )
    ]
    stub.any_postcode = True
    try:
        for label, delay, prefix in (("300 ms", SURGE_DELAY, "N"), ("hung", HUNG, "E")):
            log(f"surge: postcodes.io {label}, {SURGE_CONNECTIONS} connections, {seconds:g} s")
            stub.delay = delay
            before = stub.total()
            page = subprocess.Popen(
                surge_wrk(server.port, seconds, "page", SLUG, connections=4, threads=1),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            lookups = subprocess.run(
                surge_wrk(
                    server.port,
                    seconds,
                    "lookups",
                    SLUG,
                    prefix,
                    connections=SURGE_CONNECTIONS,
                    threads=2,
                ),
                capture_output=True,
                text=True,
                check=False,
            )
            timed = bench_line(page.communicate(timeout=seconds + 60), "campaign page")
            data = bench_line(lookups, "cold lookups")
            detail = {k: timed[k] for k in ("status", "connect", "read", "write", "timeout")}
            page_load = Load(
                "campaign page",
                timed["requests"],
                timed["requests"] / (timed["duration_us"] / 1e6),
                timed["p50_us"] / 1000,
                timed["p99_us"] / 1000,
                sum(detail.values()),
                detail,
            )
            errors = sum(data[k] for k in ("status", "connect", "read", "write", "timeout"))
            runs.append(
                Surge(
                    label,
                    data["duration_us"] / 1e6,
                    data["requests"],
                    data["found"],
                    data["lists"],
                    data["other"],
                    data["p50_us"] / 1000,
                    data["p99_us"] / 1000,
                    data["max_us"] / 1000,
                    errors,
                    page_load,
                    stub.total() - before,
                )
            )
    finally:
        stub.delay, stub.any_postcode = 0.0, False
    return runs


def surge_report(runs: list[Surge], results: list[bool]) -> list[str]:
    """The surge table and its targets (appended to ``results``)."""
    lines = [
        "  postcodes.io   answers  place found   lists  other  errors  found/s  "
        "wait p50 ms  wait p99 ms  page p99 ms  calls out",
    ]
    for r in runs:
        if r.label == CONTROL:  # the page alone, before the surge
            lines.append(
                f"  {r.label:<12} {'-':>9} {'-':>12} {'-':>7} {'-':>6} {r.page.errors:>7,} "
                f"{'-':>8} {'-':>12} {'-':>12} {r.page.p99_ms:>12.1f} {'-':>10}"
            )
            continue
        lines.append(
            f"  {r.label:<12} {r.requests:>9,} {r.found:>12,} {r.lists:>7,} {r.other:>6,} "
            f"{r.errors + r.page.errors:>7,} {r.found_per_s:>8.0f} {r.p50_ms:>12.0f} "
            f"{r.p99_ms:>12.0f} {r.page.p99_ms:>12.1f} {r.upstream:>10,}"
        )
    by = {r.label: r for r in runs}
    slow, hung = by["300 ms"], by["hung"]
    checks = [
        (
            "cold lookups per second, postcodes.io at 300 ms",
            f"{slow.found_per_s:,.0f}",
            f">= {MIN_COLD_LOOKUPS:.0f}",
            slow.found_per_s >= MIN_COLD_LOOKUPS,
        ),
        (
            "campaign page p99 during that surge",
            f"{slow.page.p99_ms:,.1f} ms",
            f"<= {MAX_PAGE_P99_MS:.0f} ms",
            slow.page.requests > 0 and slow.page.p99_ms <= MAX_PAGE_P99_MS,
        ),
        (
            "postcodes.io hung: supporter waits, p99",
            f"{hung.p99_ms:,.0f} ms",
            f"<= {MAX_HUNG_WAIT_MS:.0f} ms",
            hung.requests > 0 and hung.p99_ms <= MAX_HUNG_WAIT_MS,
        ),
        (
            "  ... then gets the lists (answers that were)",
            f"{hung.lists:,} of {hung.requests:,}",
            "all",
            hung.lists == hung.requests > 0,
        ),
        (
            "campaign page p99 while postcodes.io hangs",
            f"{hung.page.p99_ms:,.1f} ms",
            f"<= {MAX_PAGE_P99_MS:.0f} ms",
            hung.page.requests > 0 and hung.page.p99_ms <= MAX_PAGE_P99_MS,
        ),
        (
            "errors (both runs, lookups and page)",
            f"{sum(r.errors + r.page.errors + r.other for r in runs):,}",
            "0",
            all(r.errors + r.page.errors + r.other == 0 for r in runs),
        ),
    ]
    for label, value, target, ok in checks:
        results.append(ok)
        lines.append(f"  {label:<46} {value:>16}  target {target} {verdict(ok)}")
    return lines


# --- Page weight -------------------------------------------------------------------------------


class Assets(HTMLParser):
    """Collects the /static stylesheets and scripts a page links to."""

    def __init__(self) -> None:
        super().__init__()
        self.paths: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        url = None
        if tag == "link" and "stylesheet" in (a.get("rel") or "").split():
            url = a.get("href")
        elif tag == "script":
            url = a.get("src")
        if url and url.startswith("/static/") and url not in self.paths:
            self.paths.append(url)


@dataclass
class Weight:
    label: str
    html: int
    assets: int
    total: int
    total_gzip: int
    files: list[str] = field(default_factory=list)


def page_weight(port: int) -> list[Weight]:
    """Bytes of each supporter page plus its CSS and JS, raw and gzip-compressed (level 6)."""
    pages = (
        ("campaign page", CAMPAIGN.requests[0]),
        ("postcode step", postcode_step(POSTCODES[0])),
        ("letters page", letters_form(POSTCODES[0], "A Supporter")),
        ("thank-you page", Req("GET", f"/c/{SLUG}/thanks")),
    )
    weights = []
    for label, req in pages:
        status, html = fetch(port, req)
        if status != 200:
            raise SystemExit(f"{label}: {req.method} {req.path} answered {status}")
        parser = Assets()
        parser.feed(html.decode())
        bodies = [html]
        for path in parser.paths:
            status, body = fetch(port, Req("GET", path))
            if status != 200:
                raise SystemExit(f"{label}: {path} answered {status}")
            bodies.append(body)
        weights.append(
            Weight(
                label,
                len(html),
                sum(len(b) for b in bodies[1:]),
                sum(len(b) for b in bodies),
                sum(len(gzip.compress(b, GZIP_LEVEL, mtime=0)) for b in bodies),
                [p.rsplit("/", 1)[-1] for p in parser.paths],
            )
        )
    return weights


# --- Memory ------------------------------------------------------------------------------------


@dataclass
class Memory:
    boot: float
    loaded: float
    half: float
    full: float
    requests: int
    errors: int
    same_worker: bool
    statuses: Counter[int]


def send_mix(port: int, start: int, count: int, statuses: Counter[int]) -> None:
    """Send ``count`` requests of the mix from 4 client threads, counting the statuses."""

    def one(i: int) -> int:
        try:
            return fetch(port, mix(i))[0]
        except OSError:
            return 0

    with ThreadPoolExecutor(4) as pool:
        statuses.update(pool.map(one, range(start, start + count)))


def memory(env: dict[str, str], tmp: Path, requests: int) -> Memory:
    """RSS of a lone worker: at boot, after one request of each kind, and at half and all."""
    with gunicorn(env, tmp, workers=1) as server:
        (pid,) = server.workers()
        boot = rss_mib(pid)
        statuses: Counter[int] = Counter()
        send_mix(server.port, 0, 4 * len(POSTCODES), statuses)
        loaded = rss_mib(pid)
        statuses.clear()
        half = requests // 2
        log(f"memory: {half:,} requests to one worker")
        send_mix(server.port, 0, half, statuses)
        at_half = rss_mib(pid)
        log(f"memory: {requests - half:,} more")
        send_mix(server.port, half, requests - half, statuses)
        at_full = rss_mib(pid)
        same = server.workers() == [pid]
    errors = sum(n for status, n in statuses.items() if not 200 <= status < 300)
    return Memory(boot, loaded, at_half, at_full, requests, errors, same, statuses)


# --- In-process cost ---------------------------------------------------------------------------


@dataclass
class Compose:
    letters: int
    recipients: list[str]
    median_us: float
    p90_us: float
    fresh_median_us: float
    runs: int
    # (endpoint, median µs) of whole requests through the WSGI app, no server.
    per_request: list[tuple[str, float]]


def in_process(tmp: Path, stub: Stub, stub_url: str, runs: int) -> Compose:
    """Median time of ``pipeline.drafts`` for one supporter of the example campaign.

    Measured in a request context, as a view calls it: first with the directory already fetched
    for this request (the composing itself), then with the per-request freshness query too.
    Supporters come from the benchmark's postcodes in turn, each with a name of their own.
    """
    instance = tmp / "inprocess"
    os.environ["ADVOCACY_INSTANCE_PATH"] = str(instance)
    try:
        from flask import g

        from advocacy import create_app
        from advocacy.letters.compose import Choices
        from advocacy.letters.compose import Sender
        from advocacy.places import pipeline
        from advocacy.places import postcodes
        from advocacy.platform import models
        from benchmarks.app import with_baseline

        app = create_app(
            {
                "SECRET_KEY": "benchmark",
                "DATABASE_URL": f"sqlite:///{instance / 'advocacy.sqlite'}",
                "POSTCODES_IO_URL": stub_url,
                "API_LOOKUP_RATE_LIMIT": HIGH_LIMIT,
                "API_LETTERS_RATE_LIMIT": HIGH_LIMIT,
            }
        )
    finally:
        os.environ.pop("ADVOCACY_INSTANCE_PATH", None)
    places = [postcodes.place_from_result(stub.result(pc)) for pc in POSTCODES]
    choices = Choices(POINTS, tuple(ANSWERS.items()))
    senders = [Sender(f"Supporter {i}", "1 High Street") for i in range(runs)]

    def timed(before: Callable[[], object]) -> list[float]:
        times = []
        for i, sender in enumerate(senders):
            place = places[i % len(places)]
            before()
            start = time.perf_counter_ns()
            pipeline.drafts(campaign, place, sender, choices)
            times.append((time.perf_counter_ns() - start) / 1000)
        return times

    with app.test_request_context():
        campaign = models.live_campaign(SLUG)
        assert campaign is not None
        drafts = pipeline.drafts(campaign, places[0], senders[0], choices)
        plain = timed(lambda: None)
        fresh = timed(lambda: g.pop("advocacy_directory", None))
    per_request = wsgi_costs(with_baseline(app), max(50, runs // 10))
    return Compose(
        len(drafts),
        [d.letter.recipient.role for d in drafts],
        statistics.median(plain),
        statistics.quantiles(plain, n=10)[-1],
        statistics.median(fresh),
        runs,
        per_request,
    )


def wsgi_costs(wsgi: Callable, runs: int) -> list[tuple[str, float]]:
    """Median µs of whole requests to each endpoint through the WSGI app, with no server."""
    from werkzeug.test import Client

    client = Client(wsgi)
    costs = []
    for endpoint in (BASELINE, *APP_ENDPOINTS):
        times = []
        for i in range(runs + len(endpoint.requests)):  # the first round warms caches
            req = endpoint.requests[i % len(endpoint.requests)]
            start = time.perf_counter_ns()
            response = client.open(
                req.path, method=req.method, data=req.body, content_type=req.content_type
            )
            elapsed = (time.perf_counter_ns() - start) / 1000
            if response.status_code != 200:
                raise SystemExit(f"in-process {req.method} {req.path}: {response.status}")
            if i >= len(endpoint.requests):
                times.append(elapsed)
        costs.append((endpoint.label, statistics.median(times)))
    return costs


# --- Report ------------------------------------------------------------------------------------


@dataclass
class Run:
    """Everything one run measured."""

    args: argparse.Namespace
    loads: list[Load]
    fixtures: str
    warm_lookups: int
    lookups_during: int
    warmed: bool
    served: int
    worker_rss: list[float]
    compose: Compose
    mem: Memory
    weights: list[Weight]
    others_cores: float
    seconds: float
    surges: list[Surge] = field(default_factory=list)
    # --compare: other serving models, each with its throughput and surge.
    compared: list[tuple[Model, list[Load], list[Surge]]] = field(default_factory=list)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def machine() -> str:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.MULTILINE)
        model = found.group(1).strip() if found else ""
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split()
    return (
        f"{os.cpu_count()} cores ({model or platform.machine()}), "
        f"Python {platform.python_version()}, Flask {version('flask')}, "
        f"gunicorn {version('gunicorn')}, Flask-Limiter {version('flask-limiter')}, "
        f"wrk {wrk_version[1] if len(wrk_version) > 1 else '?'}"
    )


def machine_busy_seconds() -> float:
    """CPU seconds this machine's processes have used since boot (/proc/stat; no steal)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:8]]
    user, nice, system, _idle, _iowait, irq, softirq = fields
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def own_seconds() -> float:
    """CPU seconds of this process and every descendant it (or they) waited for."""
    me, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def report(run: Run) -> tuple[str, int, int]:
    """The table, and how many targets were met out of how many."""
    args, compose, mem = run.args, run.compose, run.mem
    results: list[bool] = []
    lines = [
        "advocacy benchmarks",
        f"Machine: {machine()}.",
        f"Other processes used {run.others_cores:.2f} cores on average during the run"
        + (
            ": the machine was NOT idle, so these figures are noisy; run again when it is."
            if run.others_cores > 0.15
            else " (idle enough)."
        ),
        f"Server: gunicorn as shipped, {describe(SHIPPED)} (gunicorn.conf.py; access log "
        "formatted and scrubbed, written to /dev/null); SQLite in a temporary instance folder.",
        f"Load: wrk -t{args.threads} -c{args.connections} over loopback, {args.warmup} s warm-up "
        f"then {args.duration} s per endpoint in {args.rounds} rounds, each run between two "
        "baseline runs. wrk and the workers share the "
        f"{os.cpu_count()} cores, nothing pinned: absolute figures understate a dedicated "
        "server; the ratio to the baseline, measured the same way, is the comparable figure.",
        f"postcodes.io: a local stub serving recorded answers ({run.fixtures}); "
        f"{run.warm_lookups} lookups reached it while warming "
        f"({'each postcode once per worker' if run.warmed else 'NOT every worker warmed'}), "
        f"{run.lookups_during} during the measured runs.",
        f"Rate limits: Flask-Limiter on (memory storage), API limits raised to {HIGH_LIMIT!r} so "
        "their cost is measured but nothing gets a 429.",
        "",
        "Throughput                         req/s   p50 ms   p99 ms  errors  ratio  target",
    ]
    for load in run.loads:
        target = ""
        if load.min_ratio is not None:
            ok = load.ratio is not None and load.ratio >= load.min_ratio
            results.append(ok)
            target = f">={load.min_ratio:.2f} {verdict(ok)}"
        lines.append(
            f"  {load.label:<30} {load.rps:>7.0f} {load.p50_ms:>8.1f} {load.p99_ms:>8.1f} "
            f"{load.errors:>7} {load.ratio or 0:>6.2f}  {target}"
        )
    errors = sum(load.errors for load in run.loads)
    results.append(errors == 0)
    kinds: Counter[str] = Counter()
    for load in run.loads:
        kinds.update({k: v for k, v in load.detail.items() if v})
    detail = ", ".join(f"{k} {v}" for k, v in kinds.items()) or "none"
    lines += [
        f"  errors (HTTP >= 400 and socket errors) over all runs: {errors} ({detail})"
        f"  target 0 {verdict(errors == 0)}",
        "  ratio = the median over the rounds of req/s over the mean of the baseline runs either "
        "side; p50/p99 include queueing "
        f"({args.connections} connections share the workers).",
        f"  the {len(run.worker_rss)} workers after the runs ({run.served:,} requests measured): "
        + ", ".join(f"{r:.1f} MiB" for r in run.worker_rss),
        "",
        "In-process cost: pipeline.drafts for one supporter of the example campaign: "
        f"{compose.letters} letters ({', '.join(compose.recipients)}) with every send link, "
        f"{len(POINTS)} points and {len(ANSWERS)} answers; {compose.runs:,} runs, postcodes "
        f"{', '.join(POSTCODES)} in turn",
    ]
    ok = compose.median_us < COMPOSE_LIMIT_US
    results.append(ok)
    base_us = compose.per_request[0][1]
    lines += [
        f"  median {compose.median_us:>7.0f} µs   p90 {compose.p90_us:>6.0f} µs"
        f"   target < {COMPOSE_LIMIT_US:.0f} µs {verdict(ok)}",
        "  with the directory freshness query a request also pays: median "
        f"{compose.fresh_median_us:.0f} µs",
        "  whole requests through the WSGI app, no server or network (median µs; baseline's "
        "time over this one):",
        *(
            f"    {label:<30} {us:>7.0f} µs {base_us / us:>6.2f}"
            for label, us in compose.per_request
        ),
        "",
        "Memory: one gunicorn worker alone (VmRSS), mixed requests from 4 client threads "
        "(campaign, postcode step, letters POST, letters API in turn)",
    ]
    half = mem.requests // 2
    growth = mem.full - mem.half
    ok_size = mem.full < MEMORY_LIMIT_MIB
    ok_growth = growth <= GROWTH_TOLERANCE_MIB and mem.same_worker
    results += [ok_size, ok_growth, mem.errors == 0]
    lines += [
        f"  after boot (app created)              {mem.boot:>7.1f} MiB",
        f"  after one request of each kind        {mem.loaded:>7.1f} MiB  (directory loaded)",
        f"  after {half:>6,} requests                {mem.half:>7.1f} MiB",
        f"  after {mem.requests:>6,} requests                {mem.full:>7.1f} MiB"
        f"  target < {MEMORY_LIMIT_MIB:.0f} MiB {verdict(ok_size)}",
        f"  growth over the last {mem.requests - half:,}           {growth:>+7.1f} MiB"
        f"  target <= {GROWTH_TOLERANCE_MIB:.0f} MiB (allocator noise) {verdict(ok_growth)}"
        + ("" if mem.same_worker else "  (the worker was restarted!)"),
        f"  errors {mem.errors} of {mem.requests:,}  target 0 {verdict(mem.errors == 0)}",
        "",
        f"Page weight, bytes (CSS and JS counted per page; gzip level {GZIP_LEVEL}, per file)",
        "  page                 HTML   CSS+JS    total  total gzip  files",
    ]
    for w in run.weights:
        lines.append(
            f"  {w.label:<16} {w.html:>8,} {w.assets:>8,} {w.total:>8,} {w.total_gzip:>11,}"
            f"  {', '.join(w.files)}"
        )
    if run.surges:
        lines += [
            "",
            f"Surge: {SURGE_CONNECTIONS} connections, every request a postcode no one asked for "
            f"before, for {run.surges[0].seconds:.0f} s; postcodes.io (the stub) answering after "
            f"{SURGE_DELAY * 1000:.0f} ms, then not at all (limit at 300 ms: "
            f"{SURGE_CONNECTIONS} / {SURGE_DELAY} s = {SURGE_CONNECTIONS / SURGE_DELAY:.0f}/s). "
            "The campaign page is timed beside them (4 connections, 20 ms between requests), "
            "and alone first: the control, which shows what the machine itself allows.",
            *surge_report(run.surges, results),
        ]
    for model, loads, surges in run.compared:
        lines += [
            "",
            f"Compared (not the targets' server): gunicorn {describe(model)}; ratios to its own "
            "baseline",
            "  endpoint                         req/s   p50 ms   p99 ms  errors  ratio",
        ]
        lines += [
            f"  {load.label:<30} {load.rps:>7.0f} {load.p50_ms:>8.1f} {load.p99_ms:>8.1f} "
            f"{load.errors:>7} {load.ratio or 0:>6.2f}"
            + (
                f"  (floor {load.min_ratio:.2f} {verdict((load.ratio or 0) >= load.min_ratio)})"
                if load.min_ratio
                else ""
            )
            for load in loads
        ]
        if surges:
            lines += surge_report(surges, [])
    met = sum(results)
    met = sum(results)
    lines += ["", f"Targets met: {met} of {len(results)}   (whole run: {run.seconds:.0f} s)"]
    return "\n".join(lines), met, len(results)


# --- Main --------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--duration", type=int, default=12, help="seconds per endpoint, over all rounds"
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds per endpoint, each between two baselines"
    )
    parser.add_argument("--warmup", type=int, default=2, help="seconds of wrk warm-up")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--memory-requests", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=2_000, help="in-process runs")
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 when a target is missed (default: 0)"
    )
    parser.add_argument("--surge", type=int, default=10, help="seconds per surge run (0: none)")
    parser.add_argument(
        "--compare",
        action="append",
        default=[],
        choices=sorted(CANDIDATES),
        help="also measure another serving model (throughput and surge, reported apart)",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: run bash benchmarks/run, which installs it.")

    started, busy, own = time.monotonic(), machine_busy_seconds(), own_seconds()
    sys.path.insert(0, str(ROOT))  # this checkout's advocacy, whatever the venv has installed
    tmp = Path(tempfile.mkdtemp(prefix="advocacy-bench-"))
    stub = Stub()
    try:
        with stub.running() as stub_url:
            log("in-process: composing letters, then whole requests")
            compose = in_process(tmp, stub, stub_url, args.runs)
            stub.calls.clear()
            env = app_env(tmp, stub_url)
            log(f"starting gunicorn as shipped: {describe(SHIPPED)}")
            with gunicorn(env, tmp) as server:
                workers = len(server.workers())
                warmed = warm_lookups(server.port, stub, workers)
                for endpoint in (BASELINE, *APP_ENDPOINTS):
                    check(server.port, endpoint)
                weights = page_weight(server.port)
                before = stub.total()
                loads = throughput(server, args, tmp)
                during = stub.total() - before
                worker_rss = [rss_mib(pid) for pid in server.workers()]
                surges = surge(server, stub, args.surge) if args.surge else []
            compared = []
            for name in args.compare:
                model = CANDIDATES[name]
                log(f"starting gunicorn {describe(model)} to compare")
                with gunicorn(env, tmp, model) as server:
                    stub.calls.clear()  # its workers start cold: warm them as the first ones
                    warm_lookups(server.port, stub, len(server.workers()))
                    compared.append(
                        (
                            model,
                            throughput(server, args, tmp),
                            surge(server, stub, args.surge) if args.surge else [],
                        )
                    )
            log("starting gunicorn with 1 worker for the memory run")
            mem = memory(env, tmp, args.memory_requests)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    seconds = time.monotonic() - started
    others = (machine_busy_seconds() - busy) - (own_seconds() - own)
    table, met, total = report(
        Run(
            args,
            loads,
            os.path.relpath(stub.folder, ROOT),
            before,
            during,
            warmed,
            sum(load.requests for load in loads),
            worker_rss,
            compose,
            mem,
            weights,
            max(0.0, others / seconds),
            seconds,
            surges,
            compared,
        )
    )
    print(table)
    return 1 if args.strict and met < total else 0


if __name__ == "__main__":
    sys.exit(main())
