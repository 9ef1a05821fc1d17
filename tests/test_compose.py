"""docker-compose.yml, Dockerfile and deploy/ against the settings and the code.

No Docker engine runs here, so these tests read the files: every service has an image or a build,
the app processes share one image and one environment, every variable the settings need in
production is set and points at the right service, dependencies exist, the proxy routes /ws/ to the
ASGI server and the rest to gunicorn, and the commands name real entry points and management
commands. The slow test starts the web and asgi commands of the compose file for real.
"""

from __future__ import annotations

import importlib
import os
import re
import secrets
import shlex
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
CADDYFILE = ROOT / "deploy" / "Caddyfile"
SCHEDULER = ROOT / "deploy" / "scheduler.sh"
DOCKERFILE = ROOT / "Dockerfile"

APP_SERVICES = ["migrate", "web", "asgi", "worker", "scheduler"]
LONG_RUNNING_APP_SERVICES = ["web", "asgi", "worker", "scheduler"]

# Management commands that the scheduler already runs but that other issues implement. Accepted
# while missing; once a command exists it is checked like any other (then drop it from here).

# What workmate/settings.py needs in production (DEBUG off). Each entry: any one of the names.
REQUIRED_IN_PRODUCTION = [
    ("SECRET_KEY", "SECRET_KEY_FILE"),  # ImproperlyConfigured without it
    ("ALLOWED_HOSTS",),  # defaults to loopback only
    ("CSRF_TRUSTED_ORIGINS",),  # HTTPS form posts through the proxy
    ("SITE_URL",),  # links in e-mails, OIDC redirects
    ("DATABASE_URL", "DATABASE_URL_FILE"),  # defaults to a SQLite file in the container
    ("REDIS_URL", "REDIS_URL_FILE"),  # shared cache and channel layer across processes
    ("S3_BUCKET",),  # defaults to local files, lost with the container
    ("SMTP_HOST",),  # defaults to the console backend
    ("HTTPS",),
    ("TRUST_X_FORWARDED_PROTO",),
    ("TASKS_BACKEND",),  # defaults to "immediate": no worker
]
EXPECTED_VALUES = {
    "DEBUG": "false",
    "HTTPS": "true",
    "TRUST_X_FORWARDED_PROTO": "true",
    "TASKS_BACKEND": "database",
}
# Names fixed by the OIDC issue: the compose file must wire all of them.
OIDC_VARIABLES = [
    "OIDC_ISSUER",
    "OIDC_CLIENT_ID",
    "OIDC_CLIENT_SECRET",
    "OIDC_PROJECT_ID",
    "OIDC_ROLES_CLAIM",
    "CSP_FORM_ACTION_EXTRA",
]


# --- Reading the files ----------------------------------------------------------------------------


def read_env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, value = line.partition("=")
        values[name.strip()] = value.strip()
    return values


class MissingVariable(Exception):
    pass


_VAR = re.compile(r"\$\$|\$\{(?P<braced>[^}]+)\}|\$(?P<plain>[A-Za-z_][A-Za-z0-9_]*)")


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's variable substitution: $$, $VAR, ${VAR}, ${VAR:-d}, ${VAR-d}, ${VAR:?e}, ${VAR?e}."""

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        if match.group("plain"):
            return env.get(match.group("plain"), "")
        expr = match.group("braced")
        found = re.match(r"([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])(.*))?$", expr, re.S)
        assert found, f"bad substitution ${{{expr}}}"
        name, colon, op, arg = found.groups()
        current = env.get(name)
        unset = current is None or (colon == ":" and current == "")
        if op == "-" and unset:
            return arg
        if op == "?" and unset:
            raise MissingVariable(f"{name}: {arg}")
        return current or ""

    return _VAR.sub(replace, value)


def resolve(node: Any, env: dict[str, str]) -> Any:
    if isinstance(node, str):
        return interpolate(node, env)
    if isinstance(node, list):
        return [resolve(item, env) for item in node]
    if isinstance(node, dict):
        return {key: resolve(value, env) for key, value in node.items()}
    return node


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def example_env() -> dict[str, str]:
    return read_env_file(ENV_EXAMPLE)


@pytest.fixture(scope="module")
def compose(raw, example_env) -> dict[str, Any]:
    """The compose file as Docker would see it with the values of .env.example."""
    return resolve(raw, {**example_env, "WEB_WORKERS": example_env.get("WEB_WORKERS", "3")})


def env_of(service: dict[str, Any]) -> dict[str, str]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    return {key: "" if value is None else str(value) for key, value in environment.items()}


def command_of(service: dict[str, Any]) -> list[str]:
    command = service.get("command") or []
    return shlex.split(command) if isinstance(command, str) else [str(c) for c in command]


def option(command: list[str], *names: str) -> str:
    for index, arg in enumerate(command):
        for name in names:
            if arg == name:
                return command[index + 1]
            if arg.startswith(name + "="):
                return arg.split("=", 1)[1]
    raise AssertionError(f"{names} not in {command}")


def scheduler_commands() -> list[list[str]]:
    commands = []
    for line in SCHEDULER.read_text(encoding="utf-8").splitlines():
        words = line.split()
        if len(words) >= 3 and words[0] in {"every", "daily"} and not line.startswith(" " * 8):
            commands.append(words[2:])
    return commands


def manage_py_commands(raw_compose: dict[str, Any]) -> set[str]:
    names = set()
    for service in raw_compose["services"].values():
        command = command_of(service)
        for index, arg in enumerate(command[:-1]):
            if arg.endswith("manage.py"):
                names.add(command[index + 1])
    names.update(words[0] for words in scheduler_commands())
    return names


def parse_caddyfile(text: str) -> list[dict[str, Any]]:
    """A Caddyfile as a tree of {"args": [...], "children": [...]} (line-oriented subset)."""
    root: dict[str, Any] = {"args": [], "children": []}
    stack = [root]
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        words = line.split()
        if words == ["}"]:
            stack.pop()
            continue
        opens = words[-1] == "{"
        node = {"args": words[:-1] if opens else words, "children": []}
        stack[-1]["children"].append(node)
        if opens:
            stack.append(node)
    assert len(stack) == 1, "unbalanced braces in the Caddyfile"
    return root["children"]


def find(nodes: list[dict[str, Any]], *args: str) -> dict[str, Any]:
    for node in nodes:
        if tuple(node["args"]) == args:
            return node
    raise AssertionError(f"no {' '.join(args)!r} block in {[n['args'] for n in nodes]}")


def upstream(block: dict[str, Any]) -> str:
    proxies = [n for n in block["children"] if n["args"] and n["args"][0] == "reverse_proxy"]
    assert len(proxies) == 1, block
    return proxies[0]["args"][1]


# --- Services, images, environment -------------------------------------------------------------


def test_every_service_has_an_image_or_a_build(compose):
    expected = {*APP_SERVICES, "db", "redis", "minio", "minio-init", "zitadel", "proxy"}
    assert expected <= set(compose["services"])
    for name, service in compose["services"].items():
        assert service.get("image") or service.get("build"), name
    assert compose["services"]["db"]["image"].startswith("postgres:16")


def test_app_services_share_image_build_environment_and_secret(raw, compose):
    first = raw["services"]["web"]
    for name in APP_SERVICES:
        service = raw["services"][name]
        assert service["image"] == first["image"], name
        assert service["build"] == first["build"] == ".", name
        # One anchor (x-app-env) for all: the very same mapping after YAML merging.
        assert service["environment"] == raw["x-app-env"], name
        assert service["secrets"] == ["secret_key"], name
    assert (ROOT / compose["services"]["web"]["build"] / "Dockerfile").is_file()


def test_required_production_variables_are_set_for_every_app_process(compose):
    for name in APP_SERVICES:
        env = env_of(compose["services"][name])
        for alternatives in REQUIRED_IN_PRODUCTION:
            assert any(env.get(var) for var in alternatives), f"{name}: {alternatives}"
        for var, value in EXPECTED_VALUES.items():
            assert env.get(var) == value, f"{name}: {var}={env.get(var)!r}"
        for var in OIDC_VARIABLES:
            assert var in env, f"{name}: {var}"


def test_secret_key_comes_from_a_docker_secret(raw):
    env = raw["x-app-env"]
    assert "SECRET_KEY" not in env, "the key belongs in a docker secret, not in the environment"
    assert env["SECRET_KEY_FILE"] == "/run/secrets/secret_key"
    assert "secret_key" in raw["secrets"]
    assert raw["secrets"]["secret_key"]["file"].startswith("./secrets/")


def strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [s for item in node for s in strings(item)]
    if isinstance(node, dict):
        return [s for value in node.values() for s in strings(value)]
    return []


def test_every_required_variable_is_documented_in_env_example(raw, example_env):
    text = "\n".join(strings(raw))
    required = set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*):?\?", text))
    assert required, "the compose file marks required secrets with ${VAR:?message}"
    assert required <= {k for k, v in example_env.items() if v}, required - set(example_env)
    used = set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)", text))
    assert used <= set(example_env), f"undocumented: {used - set(example_env)}"
    # And compose really refuses to start without them.
    for name in required:
        with pytest.raises(MissingVariable):
            resolve(raw, {k: v for k, v in example_env.items() if k != name})


def test_urls_point_at_the_services(compose):
    env = env_of(compose["services"]["web"])
    services = compose["services"]

    database = urlsplit(env["DATABASE_URL"])
    assert database.scheme in {"postgres", "postgresql"}
    assert (database.hostname, database.port) == ("db", 5432)
    assert database.path == "/workmate" and database.username == "workmate"
    assert env_of(services["db"])["WORKMATE_DB_PASSWORD"] == database.password

    redis = urlsplit(env["REDIS_URL"])
    assert (redis.scheme, redis.hostname, redis.port or 6379) == ("redis", "redis", 6379)

    s3 = urlsplit(env["S3_ENDPOINT_URL"])
    assert (s3.hostname, s3.port) == ("minio", 9000)
    minio_init = env_of(services["minio-init"])
    assert minio_init["S3_BUCKET"] == env["S3_BUCKET"]
    assert minio_init["S3_ACCESS_KEY_ID"] == env["S3_ACCESS_KEY_ID"]
    assert minio_init["S3_SECRET_ACCESS_KEY"] == env["S3_SECRET_ACCESS_KEY"]

    zitadel = env_of(services["zitadel"])
    assert env["OIDC_ISSUER"] == f"https://{zitadel['ZITADEL_EXTERNALDOMAIN']}"
    assert env["CSP_FORM_ACTION_EXTRA"] == env["OIDC_ISSUER"]
    assert zitadel["ZITADEL_DATABASE_POSTGRES_HOST"] == "db"
    assert (
        zitadel["ZITADEL_DATABASE_POSTGRES_ADMIN_PASSWORD"]
        == env_of(services["db"])["POSTGRES_PASSWORD"]
    )
    assert len(zitadel["ZITADEL_MASTERKEY"]) == 32 or "change-me" in zitadel["ZITADEL_MASTERKEY"]

    host = env["ALLOWED_HOSTS"]
    assert env["SITE_URL"] == f"https://{host}"
    assert env["CSRF_TRUSTED_ORIGINS"] == f"https://{host}"
    assert env_of(services["proxy"])["WORKMATE_DOMAIN"] == host


def test_dependencies_exist_and_the_app_waits_for_migrate(compose):
    services = compose["services"]
    conditions = {"service_started", "service_healthy", "service_completed_successfully"}
    for name, service in services.items():
        depends = service.get("depends_on") or {}
        if isinstance(depends, list):
            depends = {dep: {"condition": "service_started"} for dep in depends}
        for dep, spec in depends.items():
            assert dep in services, f"{name} depends on unknown {dep}"
            assert spec["condition"] in conditions
            target = services[dep]
            if spec["condition"] == "service_healthy":
                check = target.get("healthcheck") or {}
                assert check.get("test") and not check.get("disable"), f"{dep} has no healthcheck"
            if spec["condition"] == "service_completed_successfully":
                assert target.get("restart") == "no", f"{dep} is a one-shot job"
    for name in LONG_RUNNING_APP_SERVICES:
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        assert depends["db"]["condition"] == "service_healthy", name
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert command_of(services["migrate"])[-3:] == ["manage.py", "migrate", "--noinput"]


def test_files_mounted_or_run_by_services_exist(compose):
    for name, service in compose["services"].items():
        for volume in service.get("volumes") or []:
            source = volume.split(":", 1)[0]
            if source.startswith("./"):
                assert (ROOT / source).is_file(), f"{name}: {source}"
        for arg in command_of(service) + list((service.get("healthcheck") or {}).get("test") or []):
            if arg.startswith("deploy/"):
                assert (ROOT / arg).is_file(), f"{name}: {arg}"


# --- Proxy ----------------------------------------------------------------------------------------


def test_proxy_routes_websockets_to_asgi_and_the_rest_to_web(compose):
    services = compose["services"]
    mounts = services["proxy"]["volumes"]
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in mounts

    web_port = option(command_of(services["web"]), "-b", "--bind").rsplit(":", 1)[1]
    asgi_port = option(command_of(services["asgi"]), "--port")

    tree = parse_caddyfile(CADDYFILE.read_text(encoding="utf-8"))
    site = find(tree, "{$WORKMATE_DOMAIN}")
    assert upstream(find(site["children"], "handle", "/ws/*")) == f"asgi:{asgi_port}"
    assert upstream(find(site["children"], "handle")) == f"web:{web_port}"
    media = find(site["children"], "handle", "/media*")
    assert ["respond", "404"] in [n["args"] for n in media["children"]]

    # Caddy sets X-Forwarded-Proto itself and overwrites a client's value as long as no
    # trusted_proxies are configured: only then may the app trust the header.
    def directives(nodes: list[dict[str, Any]]) -> list[str]:
        names = []
        for node in nodes:
            names += node["args"][:1] + directives(node["children"])
        return names

    assert "trusted_proxies" not in directives(tree)
    zitadel = find(tree, "{$ZITADEL_DOMAIN}")
    assert upstream(zitadel) == "h2c://zitadel:8080"

    # Every {$VAR} of the Caddyfile is given to the proxy container.
    placeholders = set(re.findall(r"\{\$([A-Z_]+)\}", CADDYFILE.read_text(encoding="utf-8")))
    assert placeholders <= set(env_of(services["proxy"])), placeholders


def test_app_servers_trust_the_proxy_headers(compose):
    web = command_of(compose["services"]["web"])
    asgi = command_of(compose["services"]["asgi"])
    assert "--forwarded-allow-ips=*" in web
    assert "--proxy-headers" in asgi and "--forwarded-allow-ips=*" in asgi
    assert option(web, "-b", "--bind").startswith("0.0.0.0:")
    assert option(asgi, "--host") == "0.0.0.0"  # noqa: S104 (inside the container)


# --- Entry points and commands --------------------------------------------------------------------


def test_server_commands_name_importable_applications(compose):
    web = command_of(compose["services"]["web"])
    asgi = command_of(compose["services"]["asgi"])
    assert web[0] == "gunicorn" and "workmate.wsgi:application" in web
    assert asgi[0] == "uvicorn" and "workmate.asgi:application" in asgi
    for target in ("workmate.wsgi:application", "workmate.asgi:application"):
        module, attribute = target.split(":")
        assert callable(getattr(importlib.import_module(module), attribute))
    for server in ("gunicorn", "uvicorn"):
        assert importlib.util.find_spec(server), f"{server} is not installed"


def test_management_commands_in_compose_and_scheduler_exist(raw):
    used = manage_py_commands(raw)
    assert {"migrate", "db_worker", "send_due_reminders", "clearsessions"} <= used
    assert {"mark_overdue_invoices", "send_dunning", "verify_documents"} <= used
    missing = used - set(get_commands())
    assert not missing, f"unknown management commands: {missing}"


def test_scheduler_runs_the_periodic_commands_of_the_issues():
    commands = {words[0]: words for words in scheduler_commands()}
    assert commands["send_due_reminders"] == ["send_due_reminders"]
    assert commands["send_dunning"] == ["send_dunning", "--dry-run"]
    for line in SCHEDULER.read_text(encoding="utf-8").splitlines():
        words = line.split()
        if words[:1] == ["every"]:
            assert int(words[1]) >= 60
        if words[:1] == ["daily"]:
            assert 0 <= int(words[1]) <= 23 and len(words[1]) == 2


def test_dockerfile_builds_a_production_image():
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.13-slim", text, re.M)
    for library in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0"):
        assert library in text
    assert "pip install -r requirements.txt" in text
    assert "collectstatic" in text and "django.mo" in text
    user = re.findall(r"^USER (\S+)", text, re.M)
    assert user and user[-1] not in {"root", "0"}
    assert re.search(r"^HEALTHCHECK .*\n?.*deploy/healthcheck\.py", text, re.M)
    assert "workmate.wsgi:application" in text


def test_settings_accept_the_compose_environment(compose, tmp_path):
    """The real settings module loads with the compose environment and passes check --deploy."""
    env = env_of(compose["services"]["web"])
    key_file = tmp_path / "secret_key"
    key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
    env["SECRET_KEY_FILE"] = str(key_file)
    probe = (
        "import django; django.setup()\n"
        "from django.conf import settings as s\n"
        "from django.core.management import call_command\n"
        "assert not s.DEBUG and s.SECURE_SSL_REDIRECT and s.SESSION_COOKIE_SECURE\n"
        "assert s.SECURE_PROXY_SSL_HEADER == ('HTTP_X_FORWARDED_PROTO', 'https')\n"
        "assert s.DATABASES['default']['HOST'] == 'db', s.DATABASES\n"
        "assert s.CACHES['default']['LOCATION'] == 'redis://redis:6379/0'\n"
        "assert s.CHANNEL_LAYERS['default']['BACKEND'].startswith('channels_redis')\n"
        "assert s.STORAGES['default']['OPTIONS']['endpoint_url'] == 'http://minio:9000'\n"
        "assert 'DatabaseBackend' in s.TASKS['default']['BACKEND']\n"
        "assert s.MAILERS['default']['OPTIONS']['host'] == 'smtp.example.com'\n"
        "call_command('check', deploy=True, fail_level='WARNING')\n"
        "print('settings-ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env={**_base_env(tmp_path), **env, "DJANGO_SETTINGS_MODULE": "workmate.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "settings-ok" in result.stdout


# --- The compose commands, run for real -----------------------------------------------------------


def _base_env(tmp_path: Path) -> dict[str, str]:
    """A clean environment: nothing of the caller's DATABASE_URL, REDIS_URL etc. leaks in."""
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "TZ", "TMPDIR"}}
    return {**keep, "VAR_DIR": str(tmp_path / "var"), "PYTHONDONTWRITEBYTECODE": "1"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _executable(name: str) -> list[str]:
    candidate = Path(sys.executable).parent / name
    return [str(candidate)] if candidate.exists() else [sys.executable, "-m", name]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90  # readiness timeout on a busy machine, not an assertion
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited: {log.read_text(errors='replace')}")
        try:
            urllib.request.urlopen(url, timeout=5).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"server did not start: {log.read_text(errors='replace')}")


@pytest.mark.slow
def test_web_and_asgi_commands_of_the_compose_file_serve_the_app(compose, tmp_path):
    env = {
        **_base_env(tmp_path),
        "DJANGO_SETTINGS_MODULE": "workmate.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "HTTPS": "false",  # loopback without TLS: no redirect to https
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"),
        "TASKS_BACKEND": "immediate",
    }
    # The image build's step (Dockerfile): collectstatic with nothing but a throwaway key.
    build_env = {
        **_base_env(tmp_path),
        "SECRET_KEY": "build-only-not-a-secret",
        "DEBUG": "false",
        "STATIC_ROOT": env["STATIC_ROOT"],
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=build_env,
        check=True,
        timeout=300,
    )
    # The migrate service's command.
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )

    web_port, asgi_port = _free_port(), _free_port()
    web = command_of(compose["services"]["web"])
    web[web.index("-b") + 1] = f"127.0.0.1:{web_port}"
    web[web.index("--workers") + 1] = "1"
    asgi = command_of(compose["services"]["asgi"])
    asgi[asgi.index("--host") + 1] = "127.0.0.1"
    asgi[asgi.index("--port") + 1] = str(asgi_port)

    processes = []
    try:
        for command, port in ((web, web_port), (asgi, asgi_port)):
            log = tmp_path / f"{command[0]}.log"
            with log.open("wb") as out:
                process = subprocess.Popen(
                    _executable(command[0]) + command[1:],
                    cwd=ROOT,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            processes.append(process)
            base = f"http://127.0.0.1:{port}"
            _wait_until_up(f"{base}/health/", process, log)

            status, body = _get(f"{base}/health/")
            assert status == 200, body
            assert '"database": "ok"' in body
            status, body = _get(f"{base}/accounts/login/")
            assert status == 200, body
            assert "<form" in body and 'name="password"' in body
            # The container health check script accepts the server too.
            check = subprocess.run(
                [sys.executable, str(ROOT / "deploy" / "healthcheck.py"), str(port)],
                env=env,
                capture_output=True,
                text=True,
                timeout=30,
            )
            assert check.returncode == 0, check.stderr
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
