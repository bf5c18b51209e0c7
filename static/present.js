// The keys of every page and the key help (loaded by base.html on every page, after keys.js):
//   ← / →  previous / next lesson (lesson pages carry data-previous / data-next)
//   c / u  clear / undo the drawing (by pressing the canvas's own Clear / Undo buttons)
//   p      presenter mode on or off (by pressing the switch, a GET form)
//   f      the inside page's flow or grids (by choosing the switch's other option)
//   ?      the key help, a modal <dialog>: Esc closes it, Tab stays inside, focus comes back.
// No key does anything while the user types in a field or holds Ctrl, Alt or ⌘.
(() => {
  "use strict";

  const FOCUSABLE = 'button:not([disabled]), [href], input:not([disabled]), select, textarea, [tabindex]:not([tabindex="-1"])';
  let returnFocus = null;

  function helpDialog() {
    return document.getElementById("keys-help");
  }

  // Letters are left to fields the user types in (keys.js); arrows move sliders, radios and the
  // caret, so they are left to any form field.
  function inField(target) {
    return target instanceof HTMLElement && (target.isContentEditable || target.matches("input, textarea, select, [role=slider], pre, [role=region]"));
  }

  function press(selector) {
    const button = document.querySelector(selector);
    if (!button) return false;
    button.click();
    return true;
  }

  function openHelp() {
    const dialog = helpDialog();
    if (!dialog || dialog.open) return;
    returnFocus = document.activeElement;
    dialog.showModal();
    const first = dialog.querySelector(FOCUSABLE);
    if (first) first.focus();
  }

  function trapTab(event, dialog) {
    const items = [...dialog.querySelectorAll(FOCUSABLE)];
    if (!items.length) return;
    const first = items[0];
    const last = items[items.length - 1];
    const inside = dialog.contains(document.activeElement);
    if (event.shiftKey && (document.activeElement === first || !inside)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (document.activeElement === last || !inside)) {
      event.preventDefault();
      first.focus();
    }
  }

  function onKey(event) {
    const dialog = helpDialog();
    if (dialog && dialog.open) {
      if (event.key === "Escape") {
        event.preventDefault();  // also keeps the canvas's own Esc (clear) from seeing it
        event.stopPropagation();
        dialog.close();
      } else if (event.key === "Tab") {
        trapTab(event, dialog);
      }
      return;
    }
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    let done = false;
    if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
      if (inField(target)) return;
      const lesson = document.querySelector(event.key === "ArrowLeft" ? "[data-previous]" : "[data-next]");
      if (lesson) {
        window.location.href = lesson.dataset[event.key === "ArrowLeft" ? "previous" : "next"];
        done = true;
      }
    } else if (window.digitKeys.isTyping(target)) {
      return;
    } else if (event.key === "?") {
      openHelp();
      done = true;
    } else if (event.key === "c" || event.key === "C") {
      done = press('[data-action="clear"]');
    } else if (event.key === "u" || event.key === "U") {
      done = press('[data-action="undo"]');
    } else if (event.key === "p" || event.key === "P") {
      done = press('[data-testid="present-switch"]');
    } else if (event.key === "f" || event.key === "F") {
      done = press("[data-view-switch] input:not(:checked)");
    }
    if (done) event.preventDefault();
  }

  function start() {
    const dialog = helpDialog();
    if (dialog) {
      dialog.addEventListener("close", () => {
        if (returnFocus && returnFocus.isConnected) returnFocus.focus();
        returnFocus = null;
      });
    }
    for (const button of document.querySelectorAll("[data-keys-help]")) {
      button.hidden = false;
      button.addEventListener("click", openHelp);
    }
  }

  window.addEventListener("keydown", onKey, true);  // capture: before the canvas's own keys
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
