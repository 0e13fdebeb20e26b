// A speaker's script as a teleprompter: large text over the whole page, scrolling by itself
// at a speed the reader sets (kept in this browser), paused and resumed with a tap, and
// mirrored for teleprompter glass (?mirror=1, or the page's switch). The speaker's page opens
// it for their own script, the console and the booth for anyone's
// (``GET /api/speakers/{id}/script``). The scroll position is derived from when it was
// started and its speed, not counted frame by frame.

import { onLang, t } from "../i18n.js";
import "./labels-script.js";
import { apiUrl, query } from "../connection.js";
import { el, store, stored } from "../podium.js";


const SPEED_KEY = "podium.script.speed";
const SPEED_DEFAULT = 40; // pixels a second

/** Markdown as plain blocks: headings, quotes, paragraphs; every text set as text. */
function render(text) {
  const blocks = [];
  for (const chunk of text.replace(/\r\n?/g, "\n").split(/\n\s*\n/)) {
    const lines = chunk.trim();
    if (!lines) continue;
    const heading = /^(#{1,6})\s+(.*)$/s.exec(lines);
    if (heading) blocks.push(el("h2", "script-heading", heading[2].replace(/\n/g, " ")));
    else if (lines.startsWith(">")) {
      blocks.push(el("blockquote", "script-note", lines.replace(/^>\s?/gm, "").replace(/\n/g, " ")));
    } else blocks.push(el("p", "script-para", lines.replace(/\n/g, " ")));
  }
  return blocks;
}

export class ScriptView {
  /** ``token()``: the bearer token that may read the script (the page's own). */
  constructor(token) {
    this.token = token;
    this.speed = Number(stored(SPEED_KEY)) || SPEED_DEFAULT;
    this.since = null; // performance.now() when scrolling (re)started, null while paused
    this.from = 0; // scrollTop then
    this.box = el("div", "script-view");
    this.box.hidden = true;
    this.box.setAttribute("role", "dialog");
    this.box.setAttribute("aria-modal", "true");
    this.name = "";
    this.title = el("span", "script-name one-line");
    this.play = el("button", "btn");
    this.play.type = "button";
    const speed = el("input");
    Object.assign(speed, { type: "range", min: "5", max: "200", step: "5" });
    speed.value = String(this.speed);
    speed.addEventListener("input", () => this.setSpeed(Number(speed.value)));
    this.speedLabel = el("span");
    const speedBox = el("label", "script-speed");
    speedBox.append(this.speedLabel, speed);
    const mirror = el("input");
    mirror.type = "checkbox";
    mirror.checked = query.get("mirror") === "1";
    this.box.classList.toggle("is-mirrored", mirror.checked);
    mirror.addEventListener("change", () => this.box.classList.toggle("is-mirrored", mirror.checked));
    this.mirrorLabel = el("span");
    const mirrorBox = el("label", "script-mirror");
    mirrorBox.append(mirror, this.mirrorLabel);
    this.closeButton = el("button", "btn");
    this.closeButton.type = "button";
    this.closeButton.addEventListener("click", () => this.close());
    const bar = el("div", "script-bar");
    bar.append(this.title, this.play, speedBox, mirrorBox, this.closeButton);
    this.text = el("div", "script-text");
    this.text.tabIndex = 0;
    this.box.append(bar, this.text);
    document.body.append(this.box);
    this.text.addEventListener("click", () => this.toggle());
    this.play.addEventListener("click", () => this.toggle());
    // over the page, its keys are the view's: the page's shortcuts (the console's "next")
    // wait until it is closed; the view's own controls keep theirs (a slider's arrows)
    const keys = (event) => {
      if (this.box.hidden) return;
      event.stopPropagation();
      if (event.key === "Escape") this.close();
      else if (event.key === " ") {
        event.preventDefault();
        this.toggle();
      }
    };
    addEventListener("keydown", keys, true);
    onLang(() => this.label());
    this.label();
  }

  label() {
    this.play.textContent = t(this.since === null ? "script.play" : "script.pause");
    this.box.dataset.scrolling = this.since === null ? "" : "on";
    this.title.textContent = this.name ? t("script.title", { name: this.name }) : "";
    this.speedLabel.textContent = t("script.speed");
    this.mirrorLabel.textContent = t("script.mirror");
    this.closeButton.textContent = t("script.close");
  }

  /** Open ``speakerId``'s script, titled with ``name``. */
  async open(speakerId, name) {
    this.name = name;
    this.pause();
    this.text.replaceChildren(el("p", "script-hint", t("script.hint")));
    this.box.hidden = false;
    this.label();
    try {
      const response = await fetch(apiUrl(`/api/speakers/${encodeURIComponent(speakerId)}/script`), {
        headers: { Authorization: `Bearer ${this.token()}` },
      });
      const body = await response.text();
      if (!response.ok) throw new Error(JSON.parse(body).error?.message ?? `HTTP ${response.status}`);
      this.text.replaceChildren(el("p", "script-hint", t("script.hint")), ...render(body));
    } catch (error) {
      this.text.replaceChildren(el("p", "script-error", t("script.failed", { message: error.message })));
    }
    this.text.scrollTop = 0;
    this.text.focus();
  }

  close() {
    this.pause();
    this.box.hidden = true;
  }

  toggle() {
    if (this.since === null) this.start();
    else this.pause();
  }

  start() {
    this.from = this.text.scrollTop;
    this.since = performance.now();
    this.label();
    const step = () => {
      if (this.since === null || this.box.hidden) return;
      this.text.scrollTop = this.from + ((performance.now() - this.since) * this.speed) / 1000;
      requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  }

  pause() {
    this.since = null;
    this.label();
  }

  setSpeed(speed) {
    this.speed = speed;
    store(SPEED_KEY, String(speed));
    if (this.since !== null) this.start(); // go on from here at the new speed
  }
}
