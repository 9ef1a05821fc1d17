"""Benchmark pages of the shared infrastructure (``make bench``, see bench/run.py)."""

PAGES = [
    # Signed out: the health check (database, cache and storage probes) and the login page.
    {"name": "health check (signed out)", "path": "/health/", "user": None},
    {"name": "login page (signed out)", "path": "/accounts/login/", "user": None},
]
