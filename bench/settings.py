"""Benchmark settings: the production settings module (DEBUG off, from the environment) plus a
query-counting middleware and the minimal baseline view. Used only by ``make bench``."""

from workmate.settings import *  # noqa: F403
from workmate.settings import MIDDLEWARE

ROOT_URLCONF = "bench.urls"
# Outermost, so the count includes the session, the user and every other middleware's queries.
MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *MIDDLEWARE]
