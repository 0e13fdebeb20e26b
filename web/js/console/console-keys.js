// The console's keyboard: one key per action, ignored only while the moderator types text
// (a text field, a textarea, an editable element); a focused radio, checkbox or button
// does not take the shortcut's key for itself.

const KEYS = {
  s: "start",
  arrowright: "next",
  n: "next",
  pagedown: "next",
  arrowleft: "previous",
  p: "previous",
  pageup: "previous",
  " ": "pause",
  k: "pause",
  "+": "plus",
  "=": "plus",
  "-": "minus",
  "−": "minus",
  e: "end",
  u: "undo",
  b: "blackout",
  c: "clear",
  h: "hold",
  w: "cue_wrap_up",
  x: "cue_stop",
  q: "cue_clear",
  g: "pick",
  m: "message",
  "?": "help",
};

/** Inputs that take no text: a key pressed on one is a shortcut. */
const NOT_TEXT = new Set(["radio", "checkbox", "button", "submit", "reset", "range", "color", "file", "image"]);

/** Whether ``target`` is where the moderator types text. */
export function typingIn(target) {
  if (target.isContentEditable || target.closest?.("textarea, select")) return true;
  return target.localName === "input" && !NOT_TEXT.has(target.type);
}

/** Call ``actions[name]()`` for each shortcut; ``enabled()`` says whether keys count now
 * (signed in, no dialog asking). Escape in a text field leaves it. */
export function listenForKeys(actions, enabled) {
  document.addEventListener("keydown", (event) => {
    if (!enabled() || event.altKey || event.isComposing) return;
    const target = event.target;
    if (typingIn(target)) {
      if (event.key === "Escape") target.blur();
      return;
    }
    const key = event.key.toLowerCase();
    if ((event.ctrlKey || event.metaKey) && key === "z") {
      event.preventDefault();
      actions.undo();
      return;
    }
    if (event.ctrlKey || event.metaKey) return;
    if (key === "enter" && target.closest?.("button, summary, a")) return; // Space stays "pause"
    if (key === "escape") actions.escape();
    const name = KEYS[key];
    if (!name) return;
    event.preventDefault(); // a focused radio or checkbox does not move or tick
    if (!event.repeat) actions[name]();
  });
}

/** The list of shortcuts at the foot of the controls' panel: opened (``?`` or a click) it
 * scrolls into view; closed again (``?``, ``Esc`` or a click) the panel and the page go
 * back to where they were, so the speaker and the timers are in view again. */
export class HelpList {
  constructor(details) {
    this.details = details;
    this.panel = details.closest(".panel");
    this.was = [0, 0];
    details.addEventListener("toggle", () => {
      if (details.open) {
        this.was = [this.panel.scrollTop, window.scrollY];
        details.scrollIntoView({ block: "nearest" });
      } else {
        this.panel.scrollTop = this.was[0];
        window.scrollTo({ top: this.was[1] });
      }
    });
  }

  toggle() {
    this.details.open = !this.details.open;
  }

  close() {
    this.details.open = false;
  }
}
