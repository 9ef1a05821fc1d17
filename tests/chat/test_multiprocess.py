"""Proof that the chat scales to several app processes: two uvicorn processes share one
database and one Redis channel layer; a WebSocket client on process A receives a message that
was posted by plain HTTP through process B."""

from __future__ import annotations

import asyncio
import os
import re
import time

import pytest
import requests
from websockets.asyncio.client import connect

from tests.chat.asgi_server import AsgiServer, LiveDatabase, redis_available, setup_world

REDIS_URL = os.environ.get("CHAT_TEST_REDIS_URL", "redis://127.0.0.1:6379/8")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not redis_available(REDIS_URL), reason=f"no Redis at {REDIS_URL}"),
]


@pytest.fixture(scope="module")
def world():  # type: ignore[no-untyped-def]
    db = LiveDatabase(redis_url=REDIS_URL).prepare()
    data = setup_world(
        db,
        people=[("Mia", "Muster", "mia.mp@example.com"), ("Max", "Meier", "max.mp@example.com")],
    )
    a = AsgiServer(db).start()
    b = AsgiServer(db).start()
    yield db, data, a, b
    a.stop()
    b.stop()
    db.cleanup()


def _post_via_http(server: AsgiServer, cookie: tuple[str, str], room_id: int, body: str) -> float:
    session = requests.Session()
    session.cookies.set(*cookie, domain="127.0.0.1")
    page = session.get(f"{server.url}/chat/{room_id}/", timeout=10)
    assert page.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    started = time.monotonic()
    response = session.post(
        f"{server.url}/chat/{room_id}/post/",
        data={"body": body, "csrfmiddlewaretoken": token},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.text[:500]
    return started


def test_message_posted_on_process_b_reaches_socket_on_process_a(world):
    _db, data, a, b = world
    room_id = data["rooms"][0]
    mia, max_ = data["people"]
    name = data["cookie_name"]

    async def scenario() -> float:
        async with connect(
            f"{a.ws_url}/ws/chat/{room_id}/",
            additional_headers={"Cookie": f"{name}={max_['session']}"},
            origin=a.url,
            open_timeout=10,
        ) as ws:
            started = await asyncio.to_thread(
                _post_via_http, b, (name, mia["session"]), room_id, "Grüße aus Prozess B"
            )
            answered = time.monotonic()
            # The POST answered after the commit and the broadcast: A must deliver within a second.
            html = await asyncio.wait_for(ws.recv(), timeout=1.0)
            received = time.monotonic()
            assert "Grüße aus Prozess B" in html
            assert 'hx-swap-oob="beforeend:#chat-messages"' in html
            print(  # noqa: T201
                f"multi-process delivery: {1000 * (received - started):.1f} ms after POST start, "
                f"{1000 * (received - answered):.1f} ms after its response"
            )
            return received - started

    asyncio.run(scenario())


def test_socket_on_process_a_refuses_non_member(world):
    db, data, a, _b = world
    room_id = data["rooms"][0]
    outsider = setup_world(db, people=[("Otto", "Fremd", "otto.mp@example.com")], rooms=1)
    name = data["cookie_name"]

    async def scenario() -> None:
        with pytest.raises(Exception) as excinfo:
            async with connect(
                f"{a.ws_url}/ws/chat/{room_id}/",
                additional_headers={"Cookie": f"{name}={outsider['people'][0]['session']}"},
                origin=a.url,
                open_timeout=10,
            ):
                pass
        assert "403" in str(excinfo.value)

    asyncio.run(scenario())


def test_socket_with_foreign_origin_is_refused(world):
    _db, data, a, _b = world
    room_id = data["rooms"][0]
    max_ = data["people"][1]
    name = data["cookie_name"]

    async def scenario() -> None:
        with pytest.raises(Exception) as excinfo:
            async with connect(
                f"{a.ws_url}/ws/chat/{room_id}/",
                additional_headers={"Cookie": f"{name}={max_['session']}"},
                origin="http://evil.example",
                open_timeout=10,
            ):
                pass
        assert "403" in str(excinfo.value)

    asyncio.run(scenario())
