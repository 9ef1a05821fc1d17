// Pipeline board: drag a card onto another column. The drop only fills in the card's own
// stage form (the keyboard-usable fallback) and submits it, so htmx posts it with the CSRF header
// and swaps the updated board; without JavaScript the same form works as a plain POST.
(() => {
  let dragged = null;

  document.addEventListener("dragstart", (event) => {
    const card = event.target.closest && event.target.closest(".pipeline-card[draggable]");
    if (!card) return;
    dragged = card;
    card.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.customer);
  });

  document.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    document.querySelectorAll(".pipeline-column.drop-target").forEach((el) => el.classList.remove("drop-target"));
  });

  document.addEventListener("dragover", (event) => {
    const column = event.target.closest && event.target.closest(".pipeline-column");
    if (!column || !dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    column.classList.add("drop-target");
  });

  document.addEventListener("dragleave", (event) => {
    const column = event.target.closest && event.target.closest(".pipeline-column");
    if (column && !column.contains(event.relatedTarget)) column.classList.remove("drop-target");
  });

  document.addEventListener("drop", (event) => {
    const column = event.target.closest && event.target.closest(".pipeline-column");
    if (!column || !dragged) return;
    event.preventDefault();
    column.classList.remove("drop-target");
    const form = dragged.querySelector("form.pipeline-move");
    const select = form && form.querySelector("select[name=stage]");
    if (!select || select.value === column.dataset.stage) return;
    select.value = column.dataset.stage;
    column.appendChild(dragged); // immediate feedback; the server's board replaces it
    form.requestSubmit();
  });
})();
