// One answer, for the keys of every script (present.js, canvas.js), to "is the user typing?":
// letters are text in a text field and a select jumps to options by letter, so no page key acts
// there. Checkboxes, radios, buttons and sliders take no letters: the keys still work on them.
// base.html loads this first; deferred scripts run in document order, so the others can use it.
(() => {
  "use strict";

  const TYPED_IN = "input:not([type=checkbox]):not([type=radio]):not([type=button]):not([type=submit]):not([type=range]), textarea, select";

  window.digitKeys = Object.freeze({
    isTyping(target) {
      return target instanceof HTMLElement && (target.isContentEditable || target.matches(TYPED_IN));
    },
  });
})();
