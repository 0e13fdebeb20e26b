// The audience's questions as a page holds them: the whole list from GET /api/questions
// on every (re)connect, then the pushed changes merged in. Shared by the viewer page, the
// console's panel and the assistant's page. Text is always set as text, never as HTML.

import "./labels-captions.js";
import { t } from "./i18n.js";
import { apiUrl, readHeaders } from "./connection.js";
import { el } from "./podium.js";

/** Later changes win: a status change sets changed_at (not sent), votes only grow, so a
 * push is applied as it comes, and the list read on connect is merged under it. */
export class Questions {
  constructor(live, { token = null, onChange = () => {} } = {}) {
    this.live = live;
    this.token = token;
    this.byId = new Map();
    this.onChange = onChange;
    live.on("questions", (message) => this.pushed(message));
    const follow = (status) => {
      if (status === "live" && this.wasDown !== false) this.reload();
      this.wasDown = status !== "live";
    };
    live.on("status", follow);
    follow(live.status); // the viewer makes this once its state is shown: maybe live already
  }

  headers() {
    return this.token ? { Authorization: `Bearer ${this.token}` } : readHeaders();
  }

  /** The questions as the server has them now. When the network fails (the server
   * restarting under an open page), nothing changes: the list is asked for again once the
   * socket is live again. */
  async reload() {
    try {
      const response = await fetch(apiUrl("/api/questions"), { headers: this.headers() });
      if (!response.ok) return;
      const body = await response.json();
      this.byId = new Map(body.questions.map((q) => [q.id, q]));
      this.onChange();
    } catch (error) {
      if (!(error instanceof TypeError)) throw error; // TypeError: the network failed
    }
  }

  pushed(message) {
    if (message.mine) return; // the asker's own: the page that asked handles them
    for (const q of message.questions) this.byId.set(q.id, q);
    for (const id of message.removed ?? []) this.byId.delete(id);
    for (const [id, votes] of Object.entries(message.votes ?? {})) {
      const q = this.byId.get(id); // votes alone changed: the count, not the question
      if (q && votes > q.votes) this.byId.set(id, { ...q, votes });
    }
    this.onChange();
  }

  /** Most voted, then newest first; ``filter`` picks which. */
  ranked(filter = () => true) {
    return [...this.byId.values()]
      .filter(filter)
      .sort((a, b) => b.votes - a.votes || b.asked_at - a.asked_at);
  }

  /** ``POST path`` with a JSON body; resolves with the answer, rejects with its error. */
  async post(path, body) {
    const response = await fetch(apiUrl(path), {
      method: "POST",
      headers: { "Content-Type": "application/json", ...this.headers() },
      body: JSON.stringify(body),
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) throw answer.error ?? { message: `HTTP ${response.status}` };
    return answer;
  }

  moderate(id, action) {
    return this.post(`/api/questions/${encodeURIComponent(id)}`, { action });
  }
}

/** The actions a moderator or assistant has for a question in ``status``. */
export const ACTIONS = {
  pending: ["approve", "dismiss"],
  approved: ["answer", "dismiss"],
  answered: ["restore"],
  dismissed: ["restore"],
};

/** One question as a list item: its text, who asked, votes and status (and, for
 * moderators, ``origin``: asked in the room or remotely). */
export function questionItem(q, { status = true, origin = false } = {}) {
  const item = el("li", "q-item");
  item.dataset.status = q.status;
  item.dataset.id = q.id;
  const text = el("p", "q-text", q.text);
  const meta = el("div", "q-meta");
  meta.append(el("span", "q-name", q.name || t("questions.anonymous")));
  meta.append(el("span", "q-votes num", t("questions.votes", { n: q.votes })));
  if (status) meta.append(el("span", "q-status", t(`questions.status.${q.status}`)));
  if (origin && q.origin) {
    meta.append(el("span", `q-origin q-origin-${q.origin}`, t(`origin.${q.origin}`)));
  }
  item.append(text, meta);
  return item;
}

/** The moderators' list: each question with its actions (and, on the console, "Show on
 * screen"); ``act(q, action)`` runs one. */
export function renderBoard(list, questions, { act, shownId = null, canShow = false }) {
  list.replaceChildren(
    ...questions.map((q) => {
      const item = questionItem(q, { origin: true });
      const buttons = el("div", "q-actions");
      for (const action of ACTIONS[q.status]) {
        const button = el("button", `btn q-${action}`, t(`questions.action.${action}`));
        button.type = "button";
        button.addEventListener("click", () => act(q, action));
        buttons.append(button);
      }
      if (canShow && (q.status === "approved" || q.status === "answered")) {
        const on = q.id === shownId;
        const button = el("button", "btn q-show", t(on ? "questions.clear" : "questions.show"));
        button.type = "button";
        button.addEventListener("click", () => act(q, on ? "clear_question" : "show_question"));
        buttons.append(button);
      }
      if (q.id === shownId) item.classList.add("is-shown");
      item.append(buttons);
      return item;
    }),
  );
}

/** Where questions come from, for moderators: the balance ("room 7 · remote 12") of the
 * questions in view and a filter (all, room, remote); ``changed()`` after a pick. */
export class OriginFilter {
  constructor(box, changed) {
    this.box = box;
    this.origin = null; // null: all
    box.setAttribute("role", "group");
    box.addEventListener("click", (event) => {
      const button = event.target.closest("[data-origin]");
      if (!button) return;
      this.origin = button.dataset.origin || null;
      changed();
    });
  }

  accepts(q) {
    return this.origin === null || q.origin === this.origin;
  }

  /** ``questions``: those in view before this filter. */
  render(questions) {
    const room = questions.filter((q) => q.origin === "room").length;
    const balance = el("span", "q-balance", t("origin.balance", { room, remote: questions.length - room }));
    const buttons = ["", "room", "remote"].map((origin) => {
      const button = el("button", "btn btn-small", t(`origin.${origin || "all"}`));
      button.type = "button";
      button.dataset.origin = origin;
      button.setAttribute("aria-pressed", String((this.origin ?? "") === origin));
      return button;
    });
    this.box.setAttribute("aria-label", t("origin.filter"));
    this.box.replaceChildren(balance, ...buttons);
  }
}
