"""Browser journey: two employees in one project room on a live ASGI server (uvicorn subprocess,
HTTP and WebSockets in one process), each in their own browser context.

The platform's ``live_server`` is WSGI in a thread (no WebSockets), so this module runs its own
uvicorn on a migrated SQLite file; only the ``browser`` fixture comes from tests/e2e/conftest.py."""

from __future__ import annotations

import pytest

from tests.chat.asgi_server import AsgiServer, LiveDatabase, setup_world

pytestmark = pytest.mark.e2e

RECONNECT_TIMEOUT = 45_000  # ms: the ws extension backs off exponentially (with jitter)


@pytest.fixture(scope="module")
def chat_live():  # type: ignore[no-untyped-def]
    db = LiveDatabase().prepare()
    data = setup_world(
        db,
        people=[
            ("Anna", "Alpha", "anna.e2e@example.com"),
            ("Bernd", "Beta", "bernd.e2e@example.com"),
        ],
        rooms=2,
    )
    server = AsgiServer(db).start()
    yield db, data, server
    server.stop()
    db.cleanup()


def _page_for(browser, server, data, person):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=server.url, locale="de-DE")
    context.add_cookies(
        [{"name": data["cookie_name"], "value": person["session"], "url": server.url}]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.csp_errors = []
    page.on(
        "console",
        lambda msg: (
            page.csp_errors.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    return context, page


def _open_room(page, room_id):  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page.goto(f"/chat/{room_id}/")
    expect(page.locator("#chat-room")).to_have_attribute("data-connected", "true")


def test_chat_journey_live_post_mention_and_reconnect(chat_live, browser):
    from playwright.sync_api import expect

    db, data, server = chat_live
    room_id = data["rooms"][0]
    anna, bernd = data["people"]
    anna_ctx, anna_page = _page_for(browser, server, data, anna)
    bernd_ctx, bernd_page = _page_for(browser, server, data, bernd)
    try:
        _open_room(anna_page, room_id)
        _open_room(bernd_page, room_id)
        bernd_page.evaluate("window.chatNoReload = true")

        # 1. Anna posts; Bernd sees it appear without a reload.
        anna_page.locator("#chat-body").fill("Hallo Bernd, live?")
        anna_page.locator("#chat-body").press("Enter")
        expect(bernd_page.locator("#chat-messages")).to_contain_text("Hallo Bernd, live?")
        expect(anna_page.locator("#chat-messages")).to_contain_text("Hallo Bernd, live?")
        assert bernd_page.evaluate("window.chatNoReload") is True
        expect(anna_page.locator("#chat-body")).to_have_value("")

        # 2. A mention with autocomplete (keyboard only); Bernd is notified.
        body = anna_page.locator("#chat-body")
        body.press_sequentially("@Ber")
        option = anna_page.locator("#chat-mention-list [role=option]", has_text="Bernd Beta")
        expect(option).to_be_visible()
        body.press("Enter")  # takes the selected suggestion
        expect(body).to_have_value("@Bernd Beta ")
        body.press_sequentially("bitte prüfen")
        body.press("Enter")
        expect(bernd_page.locator("#chat-messages")).to_contain_text("bitte prüfen")
        expect(bernd_page.locator("#chat-notice")).to_contain_text("Anna Alpha")
        assert bernd_page.evaluate("window.chatNoReload") is True

        # 3. The server restarts; a message stored meanwhile shows up after the reconnect.
        server.stop()
        expect(bernd_page.locator("#chat-status")).to_be_visible()
        db.run(
            "from apps.chat.models import ChatRoom\n"
            "from apps.chat.services import message_post\n"
            "from apps.employees.models import Employee\n"
            f"room = ChatRoom.objects.get(pk={room_id})\n"
            f"anna = Employee.objects.get(pk={anna['id']})\n"
            "result = message_post(room=room, author=anna, body='Verpasst während des Neustarts').pk"
        )
        server.start()
        expect(bernd_page.locator("#chat-room")).to_have_attribute(
            "data-connected", "true", timeout=RECONNECT_TIMEOUT
        )
        expect(bernd_page.locator("#chat-status")).to_be_hidden()
        expect(bernd_page.locator("#chat-messages")).to_contain_text(
            "Verpasst während des Neustarts"
        )
        assert bernd_page.evaluate("window.chatNoReload") is True
        expect(anna_page.locator("#chat-room")).to_have_attribute(
            "data-connected", "true", timeout=RECONNECT_TIMEOUT
        )

        # 4. After the restart the socket works again: Bernd answers live.
        bernd_page.locator("#chat-body").fill("Wieder da!")
        bernd_page.locator("#chat-body").press("Enter")
        expect(anna_page.locator("#chat-messages")).to_contain_text("Wieder da!")

        # 5. The mention is in Bernd's notification list and the navigation badge.
        bernd_page.goto("/chat/mentions/")
        expect(bernd_page.locator(".chat-mention-entries")).to_contain_text("bitte prüfen")
        assert anna_page.csp_errors == []
        assert bernd_page.csp_errors == []
    finally:
        anna_ctx.close()
        bernd_ctx.close()


def test_chat_posting_falls_back_to_plain_post_when_socket_is_down(chat_live, browser):
    from playwright.sync_api import expect

    _db, data, server = chat_live
    room_id = data["rooms"][0]
    anna, bernd = data["people"]
    bernd_ctx, bernd_page = _page_for(browser, server, data, bernd)
    anna_ctx, anna_page = _page_for(browser, server, data, anna)
    try:
        _open_room(bernd_page, room_id)
        # Anna's WebSockets never reach the server (a proxy that drops them).
        anna_ctx.route_web_socket("**/ws/**", lambda ws: ws.close(code=1011))
        anna_page.goto(f"/chat/{room_id}/")
        expect(anna_page.locator("#chat-status")).to_be_visible()
        anna_page.locator("#chat-body").fill("Per POST trotz Funkloch")
        anna_page.locator("#chat-body").press("Enter")
        expect(anna_page.locator("#chat-messages")).to_contain_text("Per POST trotz Funkloch")
        expect(bernd_page.locator("#chat-messages")).to_contain_text("Per POST trotz Funkloch")
        expect(anna_page.locator("#chat-messages article", has_text="Per POST")).to_have_count(1)
    finally:
        anna_ctx.close()
        bernd_ctx.close()


def test_chat_history_loads_older_messages_when_scrolling_up(chat_live, browser):
    from playwright.sync_api import expect

    db, data, server = chat_live
    room_id = data["rooms"][1]
    anna = data["people"][0]
    db.run(
        "from apps.chat.models import ChatMessage, ChatRoom\n"
        f"room = ChatRoom.objects.get(pk={room_id})\n"
        "ChatMessage.objects.bulk_create([ChatMessage(room=room, author_id="
        f"{anna['id']}, body=f'Verlauf {{n:03d}}') for n in range(120)])\n"
        "result = ChatMessage.objects.filter(room=room).count()"
    )
    context, page = _page_for(browser, server, data, anna)
    try:
        _open_room(page, room_id)
        messages = page.locator("#chat-messages article")
        expect(messages).to_have_count(50)
        expect(page.locator("#chat-messages")).to_contain_text("Verlauf 119")
        page.locator("#chat-scroll").evaluate("el => { el.scrollTop = 0; }")
        expect(messages).to_have_count(100)
        page.locator("#chat-scroll").evaluate("el => { el.scrollTop = 0; }")
        expect(messages).to_have_count(120)
        expect(page.locator("#chat-messages")).to_contain_text("Verlauf 000")
        expect(page.locator("#chat-older")).to_have_count(0)
    finally:
        context.close()


def test_chat_attachment_appears_live_for_the_other_member(chat_live, browser, tmp_path):
    from playwright.sync_api import expect

    _db, data, server = chat_live
    room_id = data["rooms"][0]
    anna, bernd = data["people"]
    anna_ctx, anna_page = _page_for(browser, server, data, anna)
    bernd_ctx, bernd_page = _page_for(browser, server, data, bernd)
    try:
        _open_room(anna_page, room_id)
        _open_room(bernd_page, room_id)
        upload = tmp_path / "angebot-notizen.txt"
        upload.write_text("Notizen zum Angebot\n", encoding="utf-8")
        anna_page.locator("#chat-attachment").set_input_files(str(upload))
        anna_page.locator("#chat-body").fill("Die Notizen")
        anna_page.locator("#chat-body").press("Enter")
        link = bernd_page.locator("#chat-messages .chat-attachment a", has_text="angebot-notizen")
        expect(link).to_be_visible()
        with bernd_page.expect_download() as download:
            link.click()
        assert download.value.suggested_filename == "angebot-notizen.txt"
    finally:
        anna_ctx.close()
        bernd_ctx.close()
