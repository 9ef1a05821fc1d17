// Chat room: progressive enhancement around htmx's ws extension (CSP: no inline scripts).
// - keeps the view at the newest message, keeps the position when older messages load;
// - shows a banner while the socket is down; the extension reconnects by itself (backoff);
// - after every (re)connect fetches what was missed (?after=<last id>);
// - posts by plain HTTP (htmx.ajax) while the socket is down;
// - @mention suggestions as a keyboard-usable listbox.
(() => {
  "use strict";

  function init() {
    const room = document.getElementById("chat-room");
    if (!room || room.dataset.chatReady) return;
    room.dataset.chatReady = "true";
    const scroller = document.getElementById("chat-scroll");
    const list = document.getElementById("chat-messages");
    const status = document.getElementById("chat-status");
    const form = document.getElementById("chat-form");
    const input = document.getElementById("chat-body");
    const listbox = document.getElementById("chat-mention-list");
    const roomUrl = room.dataset.roomUrl;
    let connected = false;
    let stick = true;

    const nearBottom = () => scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;
    const toBottom = () => { scroller.scrollTop = scroller.scrollHeight; };

    const lastId = () => {
      let max = 0;
      list.querySelectorAll("[data-message-id]").forEach((el) => {
        max = Math.max(max, Number(el.dataset.messageId) || 0);
      });
      return max;
    };

    // The same message can arrive twice (broadcast + catch-up or POST answer): keep the first.
    const dedupe = () => {
      const seen = new Set();
      list.querySelectorAll("[data-message-id]").forEach((el) => {
        if (seen.has(el.id)) el.remove(); else seen.add(el.id);
      });
      const empty = list.querySelector(".chat-empty");
      if (empty && seen.size) empty.remove();
    };

    const catchUp = () => {
      const after = lastId();
      if (!after) {
        // Nothing shown yet: reload the latest messages instead.
        htmx.ajax("GET", roomUrl + "?after=0", { target: "#chat-messages", swap: "beforeend" });
        return;
      }
      htmx.ajax("GET", roomUrl + "?after=" + after, { target: "#chat-messages", swap: "beforeend" });
    };

    // --- connection state --------------------------------------------------------------------
    room.addEventListener("htmx:wsOpen", () => {
      connected = true;
      room.dataset.connected = "true";
      status.hidden = true;
      catchUp();
    });
    room.addEventListener("htmx:wsClose", (event) => {
      connected = false;
      room.dataset.connected = "false";
      const code = event.detail && event.detail.event ? event.detail.event.code : 0;
      if (code === 4403 || code === 4404) status.textContent = status.dataset.revoked;
      status.hidden = false;
    });
    room.addEventListener("htmx:wsError", () => {
      connected = false;
      room.dataset.connected = "false";
      status.hidden = false;
    });

    // --- scrolling ---------------------------------------------------------------------------
    room.addEventListener("htmx:wsBeforeMessage", () => { stick = nearBottom(); });
    room.addEventListener("htmx:wsAfterMessage", () => { dedupe(); if (stick) toBottom(); });
    let olderHeight = 0;
    document.body.addEventListener("htmx:beforeSwap", (event) => {
      const target = event.detail.target;
      if (target && target.id === "chat-older") olderHeight = scroller.scrollHeight;
      if (target === list) stick = nearBottom();
    });
    document.body.addEventListener("htmx:afterSwap", (event) => {
      const target = event.detail.target;
      if (olderHeight) {
        scroller.scrollTop += scroller.scrollHeight - olderHeight;
        olderHeight = 0;
      }
      if (target === list) {
        dedupe();
        if (stick) toBottom();
        const more = document.getElementById("chat-catchup-more");
        if (more) { more.remove(); catchUp(); }
      }
    });

    // --- sending -----------------------------------------------------------------------------
    const attachment = document.getElementById("chat-attachment");
    const hasFile = () => Boolean(attachment && attachment.files && attachment.files.length);
    form.addEventListener("htmx:wsConfigSend", (event) => {
      if (connected && !hasFile()) return;
      // Socket down (or a file to upload): post the form over HTTP instead (multipart).
      event.preventDefault();
      if (event.detail.triggeringEvent) event.detail.triggeringEvent.preventDefault();
      htmx.ajax("POST", form.action, { source: form, target: "#chat-messages", swap: "beforeend" })
        .then(() => { if (!form.querySelector(".errorlist")) form.reset(); });
      stick = true;
    });
    form.addEventListener("htmx:wsAfterSend", () => { form.reset(); stick = true; closeList(); });

    // --- @mentions ---------------------------------------------------------------------------
    let mention = null;
    let timer = 0;
    const options = () => Array.from(listbox.querySelectorAll("[role=option]"));
    const isOpen = () => options().length > 0;
    function closeList() {
      listbox.innerHTML = "";
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      mention = null;
    }
    function select(option) {
      options().forEach((o) => o.setAttribute("aria-selected", String(o === option)));
      if (option) input.setAttribute("aria-activedescendant", option.id);
    }
    function choose(option) {
      if (!option || !mention) return;
      const before = input.value.slice(0, mention.start);
      const after = input.value.slice(input.selectionStart);
      const text = "@" + option.dataset.mention + " ";
      input.value = before + text + after;
      const caret = before.length + text.length;
      input.setSelectionRange(caret, caret);
      closeList();
      input.focus();
    }
    function currentMention() {
      const caret = input.selectionStart;
      const text = input.value.slice(0, caret);
      const match = /(^|\s)@([^\s@]*(?: [^\s@]*)?)$/.exec(text);
      if (!match) return null;
      return { query: match[2], start: caret - match[2].length - 1 };
    }
    input.addEventListener("input", () => {
      window.clearTimeout(timer);
      mention = currentMention();
      if (!mention) { closeList(); return; }
      const query = mention.query;
      timer = window.setTimeout(() => {
        htmx.ajax("GET", input.dataset.membersUrl + "?q=" + encodeURIComponent(query), {
          target: "#chat-mention-list", swap: "innerHTML",
        }).then(() => {
          input.setAttribute("aria-expanded", String(isOpen()));
          const selected = listbox.querySelector("[aria-selected=true]");
          if (selected) input.setAttribute("aria-activedescendant", selected.id);
        });
      }, 150);
    });
    input.addEventListener("keydown", (event) => {
      if (isOpen()) {
        const all = options();
        const index = all.findIndex((o) => o.getAttribute("aria-selected") === "true");
        if (event.key === "ArrowDown" || event.key === "ArrowUp") {
          event.preventDefault();
          const step = event.key === "ArrowDown" ? 1 : -1;
          select(all[(index + step + all.length) % all.length]);
          return;
        }
        if (event.key === "Enter" || event.key === "Tab") {
          event.preventDefault();
          choose(all[Math.max(index, 0)]);
          return;
        }
        if (event.key === "Escape") { event.preventDefault(); closeList(); return; }
      }
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        if (input.value.trim() || hasFile()) form.requestSubmit();
      }
    });
    listbox.addEventListener("mousedown", (event) => {
      const option = event.target.closest("[role=option]");
      if (option) { event.preventDefault(); choose(option); }
    });
    input.addEventListener("blur", () => window.setTimeout(closeList, 150));

    // --- first view --------------------------------------------------------------------------
    const anchor = window.location.hash ? document.getElementById(window.location.hash.slice(1)) : null;
    if (anchor && list.contains(anchor)) {
      anchor.scrollIntoView({ block: "center" });
      anchor.classList.add("is-target");
    } else {
      toBottom();
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
