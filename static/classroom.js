/* The student page's one bit of script (the canvas is canvas.js's): after a drawing was sent, the
   page scrolled down to its reading; "Draw another" (a reset button that also clears the canvas
   through canvas.js's data-action="clear") brings the canvas back into view. */
document.addEventListener("click", (event) => {
  if (event.target.closest?.("[data-scroll-top]")) window.scrollTo({ top: 0 });
});
