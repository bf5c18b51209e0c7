// The keys of every page and the key help (loaded by base.html on every page, after keys.js):
//   ← / →  previous / next lesson (lesson pages carry data-previous / data-next)
//   c / u  clear / undo the drawing (by pressing the canvas's own Clear / Undo buttons)
//   p      presenter mode on or off (by pressing the switch, a GET form)
//   f      the inside page's flow or grids (by choosing the switch's other option)
//   ?      the key help, a modal <dialog>: Esc closes it, Tab stays inside, focus comes back.
// No key does anything while the user types in a field or holds Ctrl, Alt or ⌘.
// ← / → belong to the focused element in a text field (the caret) and in a slider, a radio group,
// a list or a scrolling box reached with the keyboard (Tab): there they move its value. A control
// last used with the mouse or a finger (a slider dragged, a radio clicked) hands them back: the
// lecturer who just dragged a slider changes the lesson with → without clicking elsewhere first.
(() => {
  "use strict";

  const FOCUSABLE = 'button:not([disabled]), [href], input:not([disabled]), select, textarea, [tabindex]:not([tabindex="-1"])';
  let returnFocus = null;

  function helpDialog() {
    return document.getElementById("keys-help");
  }

  const ARROW_CONTROLS = "input, textarea, select, [role=slider], pre, [role=region]";
  const TEXT_FIELDS = "input:not([type=range]):not([type=radio]):not([type=checkbox]):not([type=button]):not([type=submit]), textarea";
  let pointed = null;  // the control the pointer last used; it keeps focus but not the arrows

  function keepsArrows(target) {
    if (!(target instanceof HTMLElement)) return false;
    if (target.isContentEditable || target.matches(TEXT_FIELDS)) return true;
    return target.matches(ARROW_CONTROLS) && target !== pointed;
  }

  function onPointerDown(event) {
    const target = event.target instanceof Element ? event.target : null;
    const label = target && target.closest("label");
    pointed = (label && label.control) || (target && target.closest(ARROW_CONTROLS)) || null;
  }

  function onFocusIn(event) {
    if (event.target !== pointed) pointed = null;  // reached another way (Tab): its arrows are its own
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
      if (keepsArrows(target)) return;
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
  window.addEventListener("pointerdown", onPointerDown, true);
  window.addEventListener("focusin", onFocusIn, true);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
