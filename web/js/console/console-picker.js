// The session picker (``G``): every session of the day in a dialog, the one to start next
// focused; ↑ ↓ (or Tab) to choose, Enter to start it (after the usual confirm), Esc closes.

import { t } from "../i18n.js";
import { el, localized } from "../podium.js";

const $ = (id) => document.getElementById(id);

export class SessionPicker {
  /** ``choose(session)``: start it (the console's jump); ``hm(epochMs)``: a time of day. */
  constructor(choose, hm) {
    this.choose = choose;
    this.hm = hm;
    this.dialog = $("picker");
    this.dialog.addEventListener("keydown", (event) => this.move(event));
    $("picker-close").addEventListener("click", () => this.dialog.close());
  }

  open(programme, state) {
    if (!programme || !state) return;
    const buttons = programme.sessions.map((session) => {
      const row = state.schedule.find((r) => r.id === session.id);
      const button = el("button", "picker-session");
      button.type = "button";
      button.dataset.session = session.id;
      button.disabled = row.status === "live";
      button.append(
        el("span", "picker-when num", this.hm(row.planned_start)),
        el("span", "picker-title", localized(session, "title")),
        el("span", `state state-${row.status}`, t(`state.${row.status}`)),
      );
      button.addEventListener("click", () => {
        this.dialog.close();
        this.choose(session);
      });
      return button;
    });
    $("picker-list").replaceChildren(...buttons.map((button) => {
      const item = el("li");
      item.append(button);
      return item;
    }));
    this.dialog.showModal();
    const next = state.schedule.find((r) => r.status === "next");
    const first = buttons.find((b) => b.dataset.session === next?.id) ?? buttons.find((b) => !b.disabled);
    first?.focus();
  }

  /** ↑ and ↓ go from session to session. */
  move(event) {
    const step = { ArrowDown: 1, ArrowUp: -1 }[event.key];
    if (!step) return;
    event.preventDefault();
    const buttons = [...this.dialog.querySelectorAll(".picker-session:not(:disabled)")];
    const at = buttons.indexOf(document.activeElement);
    buttons[(at + step + buttons.length) % buttons.length]?.focus();
  }
}
