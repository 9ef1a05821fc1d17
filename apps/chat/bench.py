"""`make bench` (bench/run.py): the chat pages, and the WebSocket scenario of bench/chat_bench.py
(its own uvicorn processes: the page benchmark's gunicorn serves no WebSockets).
`make bench-chat` runs the scenario alone with more options."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def _company_room() -> str:
    from apps.chat.services import company_room_get

    return company_room_get().get_absolute_url()


def chat_delivery(context: Any) -> list[dict[str, Any]]:
    """5 rooms x 10 clients, one message per second per room, 15 s: delivery latency."""
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "chat_bench.py"), "--seconds", "15", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    ).stdout
    for line in out.splitlines():
        if line.startswith("@@CHAT_BENCH@@"):
            return [json.loads(line.removeprefix("@@CHAT_BENCH@@"))]
    return [{"name": "chat WebSocket delivery", "error": out[-500:]}]


PAGES = [
    {"name": "chat rooms", "path": "/chat/", "user": "admin"},
    {"name": "chat company room", "path": _company_room, "user": "admin"},
    {"name": "chat mentions", "path": "/chat/mentions/", "user": "admin"},
]
SCENARIOS = [chat_delivery]
