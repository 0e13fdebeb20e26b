// The programme file on disk, as the console sees it: when it differs from where the room
// started (``GET /api/programme/file``), a line above the rundown says how ("The programme
// file changed: 2 speakers added, 1 renamed") with a Reload button, which posts
// ``/api/programme/reload`` (the file's differences as one change, undone with U) and then
// lists what changed. Asked when the console signs in, when the plan changes, and every
// half minute (someone may be editing the file now).

import { lang, onLang, t } from "../i18n.js";
import { apiUrl, commandId } from "../connection.js";
import { el, setText, show } from "../podium.js";

const $ = (id) => document.getElementById(id);
const CHECK_MS = 30_000;

const KINDS = ["added", "removed", "renamed", "changed", "moved"]; // core/config/diff.py's

/** "2 speakers added, 1 renamed" in the page's language, from the list of changes, as the
 * server words its English ``summary`` (which pages do not read): sessions, then speakers,
 * each kind counted, the noun said once per item. */
function summaryWords(changes) {
  const parts = [];
  for (const item of ["session", "speaker"]) {
    let named = false;
    for (const kind of KINDS) {
      const n = changes.filter((c) => c.item === item && c.kind === kind).length;
      if (!n) continue;
      const noun = t(`plan.file.item.${item}${n === 1 ? "" : "s"}`);
      const words = { n, item: noun, kind: t(`plan.kind.${kind}`) };
      parts.push(t(named ? "plan.file.kind.again" : "plan.file.kind", words));
      named = true;
    }
  }
  return parts.join(lang === "en" ? ", " : "，");
}

/** One change as a line: "speaker Ms. Lan ZHOU: added". */
function changeWords(change) {
  return t("plan.file.change", {
    item: t(`plan.file.item.${change.item}`),
    name: change.label ?? change.id,
    kind: t(`plan.kind.${change.kind}`),
  });
}

export class PlanFile {
  constructor(live, commands) {
    this.live = live;
    this.commands = commands;
    this.diff = null; // the last answer of /api/programme/file
    this.reloaded = null; // the changes the last reload made, until closed
    $("plan-file-reload").addEventListener("click", () => this.reload());
    $("plan-file-close").addEventListener("click", () => {
      this.reloaded = null;
      this.draw();
    });
    onLang(() => this.draw());
    setInterval(() => this.check(), CHECK_MS);
  }

  request(path, init = {}) {
    return fetch(apiUrl(path), {
      ...init,
      headers: { Authorization: `Bearer ${this.live.token}`, "Content-Type": "application/json" },
    });
  }

  async check() {
    if (this.live.role !== "moderator") return;
    try {
      const response = await this.request("/api/programme/file");
      if (!response.ok) return; // a server without it, or signed out: nothing to offer
      this.diff = await response.json();
    } catch {
      return; // the network: the next check
    }
    this.draw();
  }

  draw() {
    const differs = Boolean(this.diff?.differs);
    show($("plan-file"), differs || Boolean(this.reloaded));
    show($("plan-file-news"), differs);
    if (differs) {
      const summary = summaryWords(this.diff.changes ?? []);
      setText($("plan-file-text"), t("plan.file.changed", { summary }));
    }
    show($("plan-file-done"), Boolean(this.reloaded));
    if (this.reloaded) {
      setText($("plan-file-done-text"), t("plan.file.reloaded"));
      const lines = this.reloaded.map((change) => el("li", "", changeWords(change)));
      $("plan-file-list").replaceChildren(...lines);
    }
  }

  /** Apply the file's differences: one change, undone with U, made as this console (its
   * ``actor``) against the version it is looking at (a conflict if another console changed
   * something meanwhile: the server's words say so). */
  async reload() {
    const say = (message) =>
      this.commands.feedback(() => t("plan.file.failed", { message }), "error");
    let response;
    try {
      response = await this.request("/api/programme/reload", {
        method: "POST",
        body: JSON.stringify({
          actor: this.commands.id,
          command_id: commandId(),
          expected_version: Math.max(this.live.version, this.commands.acked),
        }),
      });
    } catch {
      say(t("status.reconnecting"));
      return;
    }
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      say(body.error?.message ?? `HTTP ${response.status}`);
      return;
    }
    this.reloaded = body.changes ?? [];
    const words = () => `${t("plan.file.reloaded")} ${summaryWords(this.reloaded ?? [])}`;
    this.commands.feedback(words, "ok");
    await this.check();
    this.draw();
  }
}
