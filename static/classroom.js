/* The classroom's bits of script (the canvas is canvas.js's); every text shown is in the page,
   rendered and translated by the server.

   The student page: after a drawing was sent, the page scrolled down to its reading; "Draw
   another" (a reset button that also clears the canvas through canvas.js's data-action="clear")
   brings the canvas back into view. When the server cannot be reached at all, the result's place
   says so (the page's <template id="send-failed">); the drawing stays, so Send works again. An
   answer of the server, an error too, is swapped in by htmx itself.

   The board: while its poll fails (no answer at all, or a 5xx, which htmx leaves unswapped:
   hx-status:5xx) it keeps what it shows and its connection notice appears; polling goes on, and
   the next answer hides the notice. */
document.addEventListener("click", (event) => {
  if (event.target.closest?.("[data-scroll-top]")) window.scrollTo({ top: 0 });
});

function showConnection(event, lost) {
  const notice = event.target.closest?.(".board-page")?.querySelector("[data-connection-notice]");
  if (notice) notice.hidden = !lost;
}

document.addEventListener("htmx:after:request", (event) => {
  showConnection(event, event.detail.ctx.response.status >= 500);
});

document.addEventListener("htmx:error", (event) => {
  showConnection(event, true);
  const failed = document.getElementById("send-failed");
  const result = document.getElementById("class-result");
  if (failed && result && event.target.closest?.("#class-form")) result.replaceChildren(failed.content.cloneNode(true));
});
