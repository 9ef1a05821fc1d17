"""``make run`` on a fresh copy of the checkout: it serves /health/ and the login page, and the demo
login it prints works. Slow (migrations, collectstatic, demo data); no timing is asserted."""

from __future__ import annotations

import contextlib
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
START_TIMEOUT = 600  # seconds; generous for a loaded CI machine, never an assertion on speed


def _fresh_copy(target: Path) -> None:
    files = subprocess.run(
        ["git", "ls-files", "-z"], cwd=BASE_DIR, capture_output=True, check=True
    ).stdout.split(b"\0")
    for name in filter(None, files):
        source = BASE_DIR / name.decode()
        if source.is_file():
            destination = target / name.decode()
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


@pytest.mark.slow
def test_make_run_serves_the_app_and_the_printed_demo_login_works(tmp_path):
    if shutil.which("git") is None or not (BASE_DIR / ".git").exists():
        pytest.skip("needs a git checkout to copy")
    checkout = tmp_path / "checkout"
    _fresh_copy(checkout)
    venv = (BASE_DIR / ".venv").resolve()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(HOST="127.0.0.1", PORT=str(port))
    log_path = tmp_path / "make-run.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            ["make", "run", f"VENV={venv}", "-o", f"{venv}/.installed"],
            cwd=checkout,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            assert process.poll() is None, log_path.read_text()
            try:
                with urllib.request.urlopen(f"{base}/health/", timeout=5) as response:
                    assert response.status == 200
                    break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    pytest.fail("make run did not serve /health/:\n" + log_path.read_text())
                time.sleep(1)

        output = log_path.read_text()
        email = re.search(r"E-mail:\s+(\S+)", output).group(1)
        password = re.search(r"Password:\s+(\S+)", output).group(1)

        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
        with opener.open(f"{base}/accounts/login/", timeout=30) as response:
            assert response.status == 200
            page = response.read().decode()
        assert 'name="password"' in page
        token = next(cookie.value for cookie in jar if cookie.name == "csrftoken")
        form = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "username": email, "password": password}
        ).encode()
        request = urllib.request.Request(
            f"{base}/accounts/login/", data=form, headers={"Referer": f"{base}/accounts/login/"}
        )
        with pytest.raises(urllib.error.HTTPError) as redirect:
            opener.open(request, timeout=30)
        assert redirect.value.code == 302
        assert redirect.value.headers["Location"] == "/"
        with opener.open(f"{base}/", timeout=30) as response:
            assert "Hallo" in response.read().decode()
    finally:
        # The group may be gone already (make failed early): then there is nothing to stop, and
        # the assertion above, not a ProcessLookupError, must be what the test reports.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
