// Live captions on a page (the viewer's CC, the overlay's and the screen's ?captions=1):
// the lines a captioner sends (``caption`` messages), the last final ones and the interim
// one being spoken, set as text, never as HTML. A line shows once the page's clock, less
// its stream delay (the viewer's ``delay``), reaches the line's time, so captions match
// the delayed stream as the countdown does; lines go after a silence.

import "./labels-captions.js";
import { t } from "./i18n.js";
import { el } from "./podium.js";

const QUIET_MS = 10_000; // no line this long: the captions clear
const CHECK_MS = 100; // how often waiting lines are let through (their time is their own)

export class CaptionBox {
  /** ``box``: the element the lines go in; ``lines``: how many show at most;
   * ``delayMs()``: how far behind the page shows the day (0: live). */
  constructor(live, box, { lines = 2, delayMs = () => 0, placeholder = false } = {}) {
    this.live = live;
    this.box = box;
    this.lines = lines;
    this.delayMs = delayMs;
    this.placeholder = placeholder;
    this.waiting = []; // received, not yet due
    this.shown = []; // the final lines on view, oldest first
    this.interim = null; // the line being spoken, replaced by the next
    this.lastAt = null;
    live.on("caption", (message) => {
      this.waiting.push(message);
      this.pass();
    });
    setInterval(() => this.pass(), CHECK_MS);
    this.render();
  }

  /** Let through the lines whose time has come on the (delayed) clock. */
  pass() {
    const delay = this.delayMs();
    const due = this.live.clock.now() - delay;
    let changed = false;
    while (this.waiting.length && (delay === 0 || this.waiting[0].at <= due)) {
      const line = this.waiting.shift();
      if (line.final) {
        this.shown = [...this.shown, line].slice(-this.lines);
        this.interim = null;
      } else {
        this.interim = line;
      }
      this.lastAt = line.at;
      changed = true;
    }
    if (this.lastAt !== null && due - this.lastAt > QUIET_MS && !this.waiting.length) {
      this.shown = [];
      this.interim = null;
      this.lastAt = null;
      changed = true;
    }
    if (changed) this.render();
  }

  render() {
    const lines = [...this.shown, ...(this.interim ? [this.interim] : [])].slice(-this.lines);
    const spans = lines.map((line) => {
      const span = el("span", line.final ? "cc-line" : "cc-line is-interim", line.text);
      if (line.lang) span.lang = line.lang;
      return span;
    });
    if (!spans.length && this.placeholder) {
      spans.push(el("span", "cc-line is-placeholder", t("captions.waiting")));
    }
    this.box.replaceChildren(...spans);
    this.box.dataset.lines = String(lines.length);
  }
}
