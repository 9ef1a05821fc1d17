// Progressive enhancement only: every page works without this file (CSP: no inline scripts).
document.documentElement.classList.add("js");

document.addEventListener("change", (event) => {
  // Selects marked data-autosubmit (language, theme) submit their form right away.
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit")) {
    target.form.requestSubmit();
  }
});

document.addEventListener("click", (event) => {
  const toggle = event.target.closest("[data-toggle-nav]");
  if (!toggle) return;
  const nav = document.getElementById(toggle.getAttribute("aria-controls"));
  const open = nav.classList.toggle("open");
  toggle.setAttribute("aria-expanded", String(open));
});
