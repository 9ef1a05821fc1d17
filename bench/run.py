#!/usr/bin/env python
"""WorkmateOS benchmark (``make bench``): a benchmark, not a test; nothing in ``make test`` uses it.

1. PostgreSQL database ``workmate_bench`` (``--fresh`` drops and recreates it; otherwise it is
   reused), ``migrate``, ``seed_demo --size large`` (idempotent), ``collectstatic``.
2. gunicorn with ``bench.settings`` (the production settings, DEBUG off, Redis cache and sessions
   when Redis answers) on 127.0.0.1 only.
3. Every page of every ``apps/<app>/bench.py``::

       PAGES = [{"name": "customer list", "path": "/crm/" or callable, "user": "admin",
                 "headers": {...} (optional), "status": 200 (optional)}]

   ``path`` may be a callable without arguments returning the path; it runs after seeding, in
   this process, with database access. ``user`` is one of BENCH_USERS below or None (signed out).
   Each page gets a warm-up and then ``--requests`` GET requests from ``--concurrency`` threads.
   Optional ``SCENARIOS = [callable(context) -> list[dict]]`` in the same modules add custom
   measurements (e.g. WebSocket delivery latency); see ``Context``.
4. Per page: p50/p95/p99 latency, requests/s, queries/request (``X-Query-Count`` from
   bench.middleware) and the ratio of the page's median to the median of ``/bench/minimal/`` (same
   middleware and permission decorator, a tiny template) measured in the same run: the page's
   requests run in 4 blocks alternating with blocks of minimal-view requests (a quarter as many),
   so that load from other processes drifting during the run affects both alike. req/s is the
   closed-loop throughput (concurrency / mean latency).
   Results: ``bench/results/<timestamp>.json`` and ``.md``, and ``bench/results/latest.md``.

The load generator is plain Python (threads + http.client) so that nothing but the virtualenv is
needed; it shares the 2 cores with gunicorn, so absolute numbers are conservative. The ratios to
the minimal view are the figures to compare between runs.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import importlib
import importlib.util
import json
import os
import platform
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"

MINIMAL = {"name": "minimal view (baseline)", "path": "/bench/minimal/", "user": "admin"}

# Bench users: name -> (role name, is_staff). Pages name them in "user".
BENCH_USERS = {
    "admin": ("Admin", True),
    "ceo": ("Geschäftsführung", False),
    "accounting": ("Buchhaltung", False),
    "manager": ("Projektleitung", False),
    "marketing": ("Marketing", False),
    "member": ("Mitarbeiter", False),
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the database")
    parser.add_argument("--requests", type=int, default=int(os.environ.get("BENCH_REQUESTS", 200)))
    parser.add_argument(
        "--concurrency", type=int, default=int(os.environ.get("BENCH_CONCURRENCY", 2))
    )
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", 2)))
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", 8200)))
    parser.add_argument("--size", default=os.environ.get("BENCH_SIZE", "large"))
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/workmate_bench"
        ),
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/2")
    )
    parser.add_argument("--only", default="", help="only pages whose name contains this text")
    parser.add_argument("--no-save", action="store_true", help="print, but write no result files")
    args = parser.parse_args()
    if not (1 <= args.requests <= 100_000 and 1 <= args.concurrency <= 64):
        parser.error("--requests must be 1..100000 and --concurrency 1..64")
    return args


# --- Environment, database, data ------------------------------------------------------------------


def reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), 1):
            return True
    except OSError:
        return False


def configure_environment(args: argparse.Namespace) -> dict[str, str]:
    """The same environment for this process (seeding, sessions) and for gunicorn."""
    env = {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "HTTPS": "false",  # plain HTTP on loopback; everything else as in production
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": f"http://127.0.0.1:{args.port}",
        "DATABASE_URL": args.database_url,
        "STATIC_ROOT": str(ROOT / "var" / "bench" / "static"),
        "MEDIA_ROOT": str(ROOT / "var" / "bench" / "media"),
        "TASKS_BACKEND": "immediate",
        "LOG_LEVEL": "WARNING",
        "MAIL_FILE_PATH": str(ROOT / "var" / "bench" / "mail"),
    }
    for name in ("REDIS_URL", "S3_BUCKET", "SMTP_HOST", "SECRET_KEY_FILE", "DATABASE_REPLICA_URL"):
        os.environ.pop(name, None)
    if args.redis_url and reachable(args.redis_url):
        env["REDIS_URL"] = args.redis_url
    os.environ.update(env)
    return {**os.environ}


def ensure_database(url: str, *, fresh: bool) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.replace("_", "").isalnum():
        raise SystemExit(f"unexpected database name {name!r}")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            print(f"dropping database {name}")
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            print(f"creating database {name}")
            conn.execute(f'CREATE DATABASE "{name}"')


def prepare_data(args: argparse.Namespace) -> dict[str, int]:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    started = time.monotonic()
    call_command("seed_demo", size=args.size)
    print(f"data ready in {time.monotonic() - started:.0f}s")
    vacuum_analyze()
    call_command("collectstatic", interactive=False, verbosity=0)
    return data_volume()


def vacuum_analyze() -> None:
    """What autovacuum does in production after a bulk load: planner statistics and the
    visibility map (index-only scans). Some machines run PostgreSQL with autovacuum off; without
    this, counts and sums there read the table although an index covers them."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    print(f"vacuum analyze in {time.monotonic() - started:.0f}s")


def data_volume() -> dict[str, int]:
    from django.apps import apps
    from django.conf import settings

    counts = {}
    for app_name in settings.DOMAIN_APPS:
        config = apps.get_app_config(app_name.rsplit(".", 1)[1])
        for model in config.get_models():
            count = model._default_manager.count()
            if count:
                counts[model._meta.label] = count
    return counts


def bench_user(name: str) -> Any:
    from apps.employees.models import Employee, Role
    from apps.employees.services import employee_create

    role_name, is_staff = BENCH_USERS[name]
    email = f"bench-{name}@bench.invalid"
    user = Employee.objects.filter(email=email).first()
    if user is None:
        user = employee_create(
            actor=None,
            email=email,
            first_name="Bench",
            last_name=name.capitalize(),
            role=Role.objects.get(name=role_name),
            is_staff=is_staff,
        )
    return user


def session_cookie(name: str | None) -> str:
    """A signed-in session, created in this process exactly as django.contrib.auth.login does."""
    if name is None:
        return ""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cached_db import SessionStore

    user = bench_user(name)
    session = SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = "apps.employees.backends.RoleBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def discover() -> tuple[list[dict[str, Any]], list[Callable[..., Any]]]:
    from django.conf import settings

    pages: list[dict[str, Any]] = []
    scenarios: list[Callable[..., Any]] = []
    for app_name in settings.DOMAIN_APPS:
        if importlib.util.find_spec(f"{app_name}.bench") is None:
            continue
        module = importlib.import_module(f"{app_name}.bench")
        for page in getattr(module, "PAGES", []):
            pages.append({**page, "app": app_name})
        scenarios.extend(getattr(module, "SCENARIOS", []))
    return pages, scenarios


# --- Server ---------------------------------------------------------------------------------------


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # like gunicorn
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def start_server(args: argparse.Namespace, env: dict[str, str]) -> subprocess.Popen[bytes]:
    if not port_free(args.port):
        raise SystemExit(f"port {args.port} is in use; pass --port")
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    log = (ROOT / "var" / "bench" / "gunicorn.log").open("wb")
    # The command of the `web` service in docker-compose.yml, bound to loopback.
    command = [
        gunicorn,
        "workmate.wsgi:application",
        "-b",
        f"127.0.0.1:{args.port}",
        "--workers",
        str(args.workers),
        "--forwarded-allow-ips=*",
        "--no-control-socket",
        "--timeout=60",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn exited; see var/bench/gunicorn.log")
        with contextlib.suppress(OSError):
            status, _, _, _ = request(args.port, "/health/", "", {})
            if status == 200:
                return process
        time.sleep(0.3)
    process.terminate()
    raise SystemExit("gunicorn did not answer /health/ within 60 s; see var/bench/gunicorn.log")


def request(
    port: int, path: str, cookie: str, headers: dict[str, str]
) -> tuple[int, float, int, int]:
    """One GET: (status, seconds, queries, bytes)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        started = time.perf_counter()
        conn.request("GET", path, headers={"Cookie": cookie, **headers} if cookie else headers)
        response = conn.getresponse()
        body = response.read()
        elapsed = time.perf_counter() - started
        queries = int(response.headers.get("X-Query-Count", "-1"))
        return response.status, elapsed, queries, len(body)
    finally:
        conn.close()


# --- Measuring ------------------------------------------------------------------------------------


@dataclass
class Context:
    """What a scenario gets: where the server is and how to sign in."""

    port: int
    requests: int
    concurrency: int
    session_cookie: Callable[[str | None], str]
    base_url: str = ""

    def __post_init__(self) -> None:
        self.base_url = f"http://127.0.0.1:{self.port}"


@dataclass
class Result:
    name: str
    app: str
    user: str | None
    path: str
    latencies: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    wall: float = 0.0
    error: str = ""
    cookie: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    expected: int = 200
    concurrency: int = 1

    def copy(self, **changes: Any) -> Result:
        """The same request, without measurements."""
        fields = {"name": self.name, "app": self.app, "user": self.user, "path": self.path}
        fresh = Result(**{**fields, **changes})
        fresh.cookie, fresh.headers, fresh.expected = self.cookie, self.headers, self.expected
        return fresh


def percentile(values: list[float], p: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def prepare_page(page: dict[str, Any], args: argparse.Namespace) -> Result:
    """Resolve the path, sign in, and warm up (every worker loads the page's code paths)."""
    path = page["path"]() if callable(page["path"]) else page["path"]
    result = Result(page["name"], page.get("app", "bench"), page.get("user"), path)
    result.cookie = session_cookie(result.user)
    result.headers = dict(page.get("headers") or {})
    result.expected = page.get("status", 200)
    for _ in range(args.warmup):
        status, *_ = request(args.port, path, result.cookie, result.headers)
        if status != result.expected:
            result.error = f"HTTP {status} (expected {result.expected})"
            break
    return result


def measure(result: Result, args: argparse.Namespace, count: int | None = None) -> Result:
    """``--requests`` (or ``count``) requests of one page from ``--concurrency`` threads (closed
    loop, a new connection per request); adds to the result's measurements."""
    if result.error:
        return result
    remaining = iter([result] * (count or args.requests))
    lock = threading.Lock()

    def worker() -> None:
        while True:
            with lock:
                result = next(remaining, None)
            if result is None:
                return
            try:
                status, elapsed, queries, size = request(
                    args.port, result.path, result.cookie, result.headers
                )
            except OSError as error:
                with lock:
                    name = type(error).__name__
                    result.errors[name] = result.errors.get(name, 0) + 1
                continue
            with lock:
                if status != result.expected:
                    result.errors[str(status)] = result.errors.get(str(status), 0) + 1
                else:
                    result.latencies.append(elapsed)
                    result.queries.append(queries)
                    result.sizes.append(size)

    threads = [threading.Thread(target=worker) for _ in range(args.concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.wall += time.perf_counter() - started
    result.concurrency = args.concurrency
    return result


def summarize(result: Result, baseline_p50: float | None) -> dict[str, Any]:
    row: dict[str, Any] = {
        "name": result.name,
        "app": result.app,
        "user": result.user,
        "path": result.path,
        "ok": len(result.latencies),
        "errors": result.errors,
    }
    if result.error or not result.latencies:
        row["error"] = result.error or "no successful request"
        return row
    ms = [value * 1000 for value in result.latencies]
    p50 = percentile(ms, 50)
    row.update(
        p50_ms=round(p50, 2),
        p95_ms=round(percentile(ms, 95), 2),
        p99_ms=round(percentile(ms, 99), 2),
        mean_ms=round(statistics.fmean(ms), 2),
        # Closed loop (Little's law): the throughput this page alone would reach.
        requests_per_s=round(result.concurrency * 1000 / statistics.fmean(ms), 1),
        queries_per_request=round(statistics.fmean(result.queries), 1),
        queries_max=max(result.queries),
        bytes=int(statistics.median(result.sizes)),
        ratio_to_minimal=round(p50 / baseline_p50, 2) if baseline_p50 else None,
    )
    return row


# --- Report ---------------------------------------------------------------------------------------


def git_revision() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        return out.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    except OSError:
        return "unknown"


def _num(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def markdown(report: dict[str, Any]) -> str:
    meta = report["meta"]
    lines = [
        f"# WorkmateOS benchmark {meta['timestamp']}",
        "",
        f"- commit `{meta['commit']}`, Python {meta['python']}, {meta['cpus']} CPUs, "
        f"PostgreSQL `{meta['database']}`, cache/sessions: {meta['cache']}, load average "
        f"{meta['load_before']} before / {meta['load_after']} after the run",
        f"- gunicorn {meta['workers']} sync workers on 127.0.0.1 (bench.settings = production "
        f"settings, DEBUG off); load: {meta['requests']} requests per page, concurrency "
        f"{meta['concurrency']}, {meta['warmup']} warm-up requests; Python load generator on the "
        "same machine",
        "- data: " + ", ".join(f"{k} {v}" for k, v in meta["data"].items()),
        "- ×min = page median / median of `/bench/minimal/` (same middleware and permission "
        "decorator, tiny template), measured in blocks alternating with the page's (column "
        "min p50); req/s = concurrency / mean latency (closed loop)",
    ]
    local = [r["minimal_p50_ms"] for r in report["pages"] if r.get("minimal_p50_ms")]
    if local and max(local) > 1.5 * min(local):
        lines.append(
            f"- note: the minimal view's median drifted between {min(local):.1f} and "
            f"{max(local):.1f} ms during the run (other load on the machine); compare the ×min "
            "ratios rather than absolute times"
        )
    lines += [
        "",
        "| Page | User | OK | Errors | p50 ms | p95 ms | p99 ms | req/s | queries/req "
        "| min p50 | ×min |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in report["pages"]:
        errors = sum(row["errors"].values())
        if "error" in row:
            lines.append(
                f"| {row['name']} | {row['user'] or '-'} | {row['ok']} | {errors} | "
                f"{row['error']} | | | | | | |"
            )
            continue
        lines.append(
            f"| {row['name']} | {row['user'] or '-'} | {row['ok']} | {errors} | "
            f"{row['p50_ms']:.1f} | {row['p95_ms']:.1f} | {row['p99_ms']:.1f} | "
            f"{row['requests_per_s']:.1f} | {row['queries_per_request']:g} | "
            f"{_num(row.get('minimal_p50_ms'))} | {_num(row['ratio_to_minimal'], 2)} |"
        )
    for scenario in report["scenarios"]:
        lines += ["", f"## {scenario.get('name', 'scenario')}", ""]
        lines += [f"- {key}: {value}" for key, value in scenario.items() if key != "name"]
    return "\n".join(lines) + "\n"


def main() -> int:
    args = parse_args()
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    env = configure_environment(args)
    ensure_database(args.database_url, fresh=args.fresh)
    volume = prepare_data(args)
    pages, scenarios = discover()
    pages = [p for p in pages if args.only.lower() in p["name"].lower()]
    # Sessions and paths before the server starts (the callables may query).
    for name in {p.get("user") for p in pages} | {"admin"}:
        if name is not None:
            bench_user(name)
    from django.db import connections

    connections.close_all()

    load_before = round(os.getloadavg()[0], 1)
    server = start_server(args, env)
    rows: list[dict[str, Any]] = []
    scenario_rows: list[dict[str, Any]] = []
    try:
        # Warm up everything first, then the baseline, the pages, and the baseline once more.
        baseline = prepare_page(MINIMAL, args)
        prepared = [prepare_page(page, args) for page in pages]
        baseline_row = summarize(measure(baseline, args), None)
        if "error" in baseline_row:
            raise SystemExit(f"the minimal view failed: {baseline_row['error']}")
        baseline_p50 = baseline_row["p50_ms"]
        baseline_row["ratio_to_minimal"] = 1.0
        baseline_row["minimal_p50_ms"] = baseline_p50
        rows.append(baseline_row)
        print(f"{MINIMAL['name']}: p50 {baseline_p50:.1f} ms")
        for page in prepared:
            # The machine's load drifts (other processes): each page is compared with requests of
            # the minimal view measured in between its own.
            local = baseline.copy()
            measure(local, args, count=max(20, args.requests // 4))
            local_p50 = (
                percentile([v * 1000 for v in local.latencies], 50) if local.latencies else None
            )
            row = summarize(measure(page, args), local_p50)
            row["minimal_p50_ms"] = round(local_p50, 2) if local_p50 else None
            rows.append(row)
            print(
                f"{row['name']}: "
                + (
                    row["error"]
                    if "error" in row
                    else f"p50 {row['p50_ms']:.1f} ms, "
                    f"{row['queries_per_request']:g} queries, ×{row['ratio_to_minimal']:.2f}"
                )
            )
        again = baseline.copy(name="minimal view (again, at the end)")
        rows.append(summarize(measure(again, args), baseline_p50))
        context = Context(args.port, args.requests, args.concurrency, session_cookie)
        for scenario in scenarios:
            try:
                scenario_rows.extend(scenario(context))
            except Exception as error:  # a broken scenario is reported, the others still run
                scenario_rows.append(
                    {"name": getattr(scenario, "__name__", "scenario"), "error": repr(error)}
                )
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()

    from django.conf import settings

    now = dt.datetime.now(dt.UTC)
    report = {
        "meta": {
            "timestamp": now.strftime("%Y-%m-%d %H:%M UTC"),
            "commit": git_revision(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "database": urlsplit(args.database_url).path.lstrip("/"),
            "cache": "Redis"
            if settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
            else "local memory",
            "workers": args.workers,
            "requests": args.requests,
            "concurrency": args.concurrency,
            "warmup": args.warmup,
            "load_before": load_before,
            "load_after": round(os.getloadavg()[0], 1),
            "data": volume,
        },
        "pages": rows,
        "scenarios": scenario_rows,
    }
    text = markdown(report)
    print()
    print(text)
    if not args.no_save:
        RESULTS.mkdir(parents=True, exist_ok=True)
        stamp = now.strftime("%Y%m%d-%H%M%S")
        (RESULTS / f"{stamp}.json").write_text(
            json.dumps(report, indent=2, ensure_ascii=False) + "\n"
        )
        (RESULTS / f"{stamp}.md").write_text(text)
        (RESULTS / "latest.md").write_text(text)
        print(
            f"written: bench/results/{stamp}.json, bench/results/{stamp}.md, bench/results/latest.md"
        )
    failed = [row["name"] for row in rows if "error" in row]
    if failed:
        print(f"pages that failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
