"""Importable helpers for browser tests: ``from tests.e2e.helpers import login, E2E_PASSWORD``."""

from tests.e2e.conftest import CHROMIUM_ARGS, E2E_PASSWORD, login

__all__ = ["CHROMIUM_ARGS", "E2E_PASSWORD", "login"]
