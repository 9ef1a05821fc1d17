"""Real ASGI server processes (uvicorn) for the multi-process, browser and bench scenarios.

Each server is a subprocess serving ``workmate.asgi:application`` (HTTP and WebSockets) on
loopback; several of them share one database file and, with ``redis_url``, one Redis channel
layer. Setup code runs in a separate Python process against the same database, so nothing here
depends on the test process's (possibly in-memory) database.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
SECRET = "live-test-secret-key-not-for-production-" + "x" * 30


def free_port(start: int = 8800, end: int = 8899) -> int:
    """A free loopback port in the chat helper's range (or any, if the range is exhausted)."""
    for port in [*range(start, end + 1), 0]:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise RuntimeError("no free port")


def redis_available(url: str) -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:
        return False


class LiveDatabase:
    """A migrated SQLite file in a temporary directory, shared by every server process."""

    def __init__(self, redis_url: str | None = None) -> None:
        self.dir = tempfile.mkdtemp(prefix="wm-chat-live-")
        self.path = Path(self.dir) / "live.sqlite3"
        self.redis_url = redis_url

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_", "PYTEST", "TEST_"))
        }
        env.update(
            DJANGO_SETTINGS_MODULE="workmate.settings",
            SECRET_KEY=SECRET,
            DEBUG="false",
            DATABASE_URL=f"sqlite:///{self.path}",
            VAR_DIR=self.dir,
            ALLOWED_HOSTS="127.0.0.1,localhost",
            LOG_LEVEL="WARNING",
            PYTHONPATH=str(ROOT),
        )
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        env.update(extra)
        return env

    def prepare(self) -> LiveDatabase:
        """Migrate the database and collect the static files (manifest storage, DEBUG off)."""
        for command in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"]):
            subprocess.run(
                [PYTHON, "manage.py", *command],
                cwd=ROOT,
                env=self.env(),
                check=True,
                timeout=300,
            )
        return self

    def run(self, code: str) -> Any:
        """Run ``code`` (defining ``result``) with Django set up; returns ``result`` (JSON)."""
        script = (
            "import django, json\ndjango.setup()\n"
            + code
            + "\nprint('@@RESULT@@' + json.dumps(result))\n"
        )
        out = subprocess.run(
            [PYTHON, "-c", script],
            cwd=ROOT,
            env=self.env(),
            check=True,
            timeout=120,
            capture_output=True,
            text=True,
        ).stdout
        return json.loads(out.split("@@RESULT@@", 1)[1])

    def cleanup(self) -> None:
        import shutil

        shutil.rmtree(self.dir, ignore_errors=True)


SETUP_CODE = """
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.cached_db import SessionStore
from apps.chat.services import room_for_project
from apps.employees.models import Employee, Role
from apps.employees.services import employee_create
from apps.projects.services import project_create

people = []
for first, last, email in PEOPLE:
    user = Employee.objects.filter(email=email).first() or employee_create(
        actor=None, email=email, password="live-password-123", first_name=first, last_name=last,
        role=Role.objects.get(name="Mitarbeiter"),
    )
    people.append(user)
rooms = []
for n in range(ROOMS):
    project = project_create(actor=None, title=f"Live-Projekt {n + 1}", members=people)
    rooms.append(room_for_project(project).pk)

def session_for(user):
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "apps.employees.backends.RoleBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key

result = {
    "cookie_name": settings.SESSION_COOKIE_NAME,
    "rooms": rooms,
    "people": [
        {"id": u.pk, "name": u.full_name, "email": u.email, "session": session_for(u)}
        for u in people
    ],
}
"""


def setup_world(db: LiveDatabase, *, people: list[tuple[str, str, str]], rooms: int = 1) -> Any:
    code = f"PEOPLE = {people!r}\nROOMS = {rooms}\n" + SETUP_CODE
    return db.run(code)


class AsgiServer:
    """``uvicorn workmate.asgi:application`` on 127.0.0.1:<port> as a subprocess."""

    def __init__(self, db: LiveDatabase, port: int | None = None, **env: str) -> None:
        self.db = db
        self.port = port or free_port()
        self.extra_env = env
        self.process: subprocess.Popen[bytes] | None = None
        self.log = Path(db.dir) / f"uvicorn-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> AsgiServer:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    PYTHON,
                    "-m",
                    "uvicorn",
                    "workmate.asgi:application",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--no-access-log",
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=self.db.env(**self.extra_env),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"uvicorn exited: {self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/health/", timeout=2):
                    return self
            except Exception:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"uvicorn did not start: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None

    def __enter__(self) -> AsgiServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
