// Documents panel: drag & drop and file picker upload (progressive enhancement; CSP-safe).
// The upload itself is the panel's htmx form (hx-post, multipart, CSRF header from <body>);
// this file only moves dropped files into the form's file input and submits it.
(function () {
  if (window.workmateDocuments) return;
  window.workmateDocuments = true;

  function zoneOf(target) {
    return target instanceof Element ? target.closest("[data-dropzone]") : null;
  }

  function submit(form) {
    const status = form.querySelector("[data-upload-status]");
    if (status) status.hidden = false;
    form.requestSubmit();
  }

  document.addEventListener("dragover", (event) => {
    const zone = zoneOf(event.target);
    if (!zone) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
    zone.classList.add("dragging");
  });

  document.addEventListener("dragleave", (event) => {
    const zone = zoneOf(event.target);
    if (zone && !zone.contains(event.relatedTarget)) zone.classList.remove("dragging");
  });

  document.addEventListener("drop", (event) => {
    const zone = zoneOf(event.target);
    if (!zone) return;
    event.preventDefault();
    zone.classList.remove("dragging");
    const files = event.dataTransfer && event.dataTransfer.files;
    if (!files || files.length === 0) return;
    const input = zone.querySelector("input[type=file]");
    input.files = files;
    submit(zone);
  });

  document.addEventListener("change", (event) => {
    const input = event.target;
    if (input instanceof HTMLInputElement && input.hasAttribute("data-autoupload") && input.files.length) {
      submit(input.form);
    }
  });
})();
