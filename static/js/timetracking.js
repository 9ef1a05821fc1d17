// Time tracking: the running timer in the header counts up (no inline scripts: CSP).
(() => {
  const pad = (n) => String(n).padStart(2, "0");
  const tick = () => {
    document.querySelectorAll("[data-timer-start]").forEach((el) => {
      const started = Date.parse(el.getAttribute("data-timer-start"));
      if (Number.isNaN(started)) return;
      const seconds = Math.max(0, Math.floor((Date.now() - started) / 1000));
      el.textContent = `${Math.floor(seconds / 3600)}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}`;
    });
  };
  if (!window.workmateTimerTicking) {
    window.workmateTimerTicking = true;
    setInterval(tick, 1000);
    document.addEventListener("htmx:afterSettle", tick);
    document.addEventListener("DOMContentLoaded", tick);
  }
})();
