// The rundown editor: the plan changed in place, live. "Edit plan" (R) turns the rundown
// into an editor: a click (or Enter) on a row opens its fields under it; the toolbar and
// the keys act on the selected row (↑ ↓ select, Shift+↑ Shift+↓ move a speaker, A adds a
// speaker after it, Delete takes it off the plan, Esc or R leaves). Every change is a
// command sent by the console's one command path (console-commands.js: this console's id,
// one at a time, held and asked about right after another console's change, retried, said
// on the feedback line), and undone with U like any other.

import { t } from "../i18n.js";
import { el, localized, personName } from "../podium.js";
import { confirmDialog } from "./console-commands.js";
import { typingIn } from "./console-keys.js";
import { PlanForm } from "./console-plan-form.js";

const $ = (id) => document.getElementById(id);
const ROWS = ".rd-session-head, .rd-speaker-button";
const KEYS = {
  a: "add", A: "add", Insert: "add", Delete: "remove", Backspace: "remove", F2: "edit",
};

/** ``text`` (a name, a title) on one line with chips saying what changed about its
 * ``item`` since the room started ("added", "moved", "changed": the programme's ``marks``). */
export function marked(text, item) {
  if (!item.marks?.length) return text;
  const line = el("span", "plan-marked");
  line.append(text);
  for (const mark of item.marks) {
    const chip = el("span", `plan-mark plan-mark-${mark}`, t(`plan.mark.${mark}`));
    chip.dataset.mark = mark;
    line.append(chip);
  }
  return line;
}

/** Where ``move_speaker`` puts a speaker one step up (``-1``) or down (``+1``): within its
 * session, else to the end of the session before / the start of the one after; null at
 * either end of the day. */
export function moveTarget(programme, speakerId, step) {
  const sessions = programme.sessions;
  const at = sessions.findIndex((s) => s.speakers.some((p) => p.id === speakerId));
  if (at < 0) return null;
  const list = sessions[at].speakers;
  const i = list.findIndex((p) => p.id === speakerId);
  if (step < 0) {
    if (i > 0) return { session_id: sessions[at].id, before: list[i - 1].id };
    return at > 0 ? { session_id: sessions[at - 1].id } : null;
  }
  if (i + 2 < list.length) return { session_id: sessions[at].id, before: list[i + 2].id };
  if (i + 1 < list.length) return { session_id: sessions[at].id };
  const next = sessions[at + 1];
  if (!next) return null;
  const first = next.speakers[0];
  return first ? { session_id: next.id, before: first.id } : { session_id: next.id };
}

/** The row a form opens under: the speaker edited, the one a new speaker comes after, or
 * the session (edited, or given a speaker at its start). */
function anchorKey({ kind, item, session, after }) {
  if (kind === "speaker") return { speaker: item.id };
  if (kind === "new" && after) return { speaker: after.id };
  return { session: session.id };
}

/** The key of a row of the rundown: ``{speaker}`` or ``{session}``. */
const keyOf = (row) =>
  row.dataset.speaker ? { speaker: row.dataset.speaker } : { session: row.dataset.session };

export class PlanEditor {
  /** ``commands``: the console's Commands; ``hm(epochMs)``: a time of day in the event's
   * zone; ``render()``: draw the rundown again. */
  constructor(live, commands, { hm, render }) {
    this.live = live;
    this.commands = commands;
    this.hm = hm;
    this.render = render;
    this.on = false;
    this.programme = null;
    this.selected = null; // {session} or {speaker}: an id
    this.form = null; // the open PlanForm
    this.list = $("rundown");
    this.list.addEventListener("focusin", (event) => {
      const row = event.target.closest?.(ROWS);
      if (this.on && row) this.select(keyOf(row));
    });
    $("plan-edit").addEventListener("click", () => this.toggle());
    for (const button of document.querySelectorAll("#plan-tools [data-plan]")) {
      button.addEventListener("click", () => this.act(button.dataset.plan));
    }
    document.addEventListener("keydown", (event) => this.key(event));
  }

  /** The speaker (with their session) or the session a key points at. */
  find({ speaker, session }) {
    for (const s of this.programme?.sessions ?? []) {
      if (session && s.id === session) return { session: s };
      const found = speaker && s.speakers.find((p) => p.id === speaker);
      if (found) return { session: s, speaker: found };
    }
    return null;
  }

  toggle(on = !this.on) {
    this.on = on;
    if (!on) this.close();
    if (on && !this.selected) {
      const live = this.live.state?.speaker?.id;
      this.selected = live ? { speaker: live } : null;
    }
    this.render();
    if (on) this.rowOf(this.selected)?.focus();
  }

  /** Esc: the open form first, then the editor itself. */
  escape() {
    if (this.form) this.close(true);
    else if (this.on) this.toggle(false);
  }

  select(key) {
    this.selected = key;
    this.mark();
  }

  /** A click on a row while editing: select it and open its fields. */
  pick({ session, speaker }) {
    this.selected = speaker ? { speaker: speaker.id } : { session: session.id };
    this.open({ kind: speaker ? "speaker" : "session", item: speaker ?? session, session });
  }

  open(target) {
    this.close();
    this.form = new PlanForm(target, {
      hm: this.hm,
      languages: this.programme?.languages ?? [],
      save: (fields) => this.save(target, fields),
      cancel: () => this.close(true),
    });
    this.render();
    this.form?.focus();
  }

  /** Close the form; ``refocus``: back to the selected row, for the next key. */
  close(refocus = false) {
    if (!this.form) return;
    this.form.node.remove();
    this.form = null;
    if (refocus) this.rowOf(this.selected)?.focus();
  }

  rowOf(key) {
    if (!key) return null;
    const speaker = Boolean(key.speaker);
    const [attr, id] = speaker ? ["speaker", key.speaker] : ["session", key.session];
    const row = speaker ? ".rd-speaker-button" : ".rd-session-head";
    return this.list.querySelector(`${row}[data-${attr}="${CSS.escape(id)}"]`);
  }

  /** Where the moderator is typing in the open form (its field and caret), before the
   * rundown is drawn again: ``decorate`` puts both back. */
  typing() {
    const field = document.activeElement;
    if (!this.form?.node.contains(field)) return null;
    const caret = field.selectionStart == null ? null : [field.selectionStart, field.selectionEnd];
    return { field, caret };
  }

  /** After the rundown is drawn: the editing look, the selected row, the open form put
   * back in its place (``typing``: with the focus and caret where they were) or closed if
   * its row has gone. */
  decorate(programme, typing = null) {
    this.programme = programme;
    this.list.closest(".panel").classList.toggle("is-editing", this.on);
    $("plan-edit").setAttribute("aria-pressed", String(this.on));
    $("plan-edit").classList.toggle("is-on", this.on);
    $("plan-tools").hidden = !this.on;
    if (this.selected && !this.find(this.selected)) this.selected = null;
    this.mark();
    if (!this.form) return;
    const key = anchorKey(this.form.target);
    const row = this.rowOf(key);
    if (!row || !this.find(key)) {
      this.close();
      this.commands.feedback(() => t("plan.gone"), "error");
      return;
    }
    if (row.classList.contains("rd-session-head")) row.after(this.form.node);
    else row.closest(".rd-speaker").append(this.form.node);
    typing?.field.focus();
    if (typing?.caret) typing.field.setSelectionRange(...typing.caret);
  }

  mark() {
    for (const node of this.list.querySelectorAll(".is-selected")) {
      node.classList.remove("is-selected");
    }
    const row = this.on ? this.rowOf(this.selected) : null;
    row?.classList.add("is-selected");
    const found = this.selected && this.find(this.selected);
    const speaker = Boolean(found?.speaker);
    for (const button of document.querySelectorAll("#plan-tools [data-plan]")) {
      const needs = button.dataset.plan;
      button.disabled = !found || ((needs === "up" || needs === "down") && !speaker);
    }
  }

  /** A toolbar button or its key. */
  act(what) {
    const found = this.selected && this.find(this.selected);
    if (what === "done") return this.toggle(false);
    if (!found) return null;
    if (what === "edit") return this.pick(found);
    if (what === "add") {
      const after = found.speaker ?? null;
      return this.open({ kind: "new", item: null, session: found.session, after });
    }
    if (what === "remove") return this.remove(found);
    return this.move(found.speaker, what === "up" ? -1 : 1);
  }

  async save(target, fields) {
    if (!Object.keys(fields).length) {
      this.close(true);
      return;
    }
    let command;
    if (target.kind === "session") {
      command = { action: "update_session", session_id: target.item.id, fields };
    } else if (target.kind === "speaker") {
      command = { action: "update_speaker", speaker_id: target.item.id, fields };
    } else {
      const list = this.find({ session: target.session.id })?.session.speakers ?? [];
      const at = target.after ? list.findIndex((p) => p.id === target.after.id) + 1 : 0;
      const next = list[at];
      command = { action: "add_speaker", session_id: target.session.id, speaker: fields };
      if (next) command.before = next.id;
    }
    if (await this.commands.run(command)) this.close(true); // refused: the form stays, to correct
  }

  /** Take the selected speaker (or session) off the plan, after a confirm; the row after
   * it is selected next. */
  async remove({ session, speaker }) {
    const words = speaker
      ? t("plan.confirm.remove", { name: personName(speaker) })
      : t("plan.confirm.remove_session", { title: localized(session, "title") });
    if (!(await confirmDialog(words))) return;
    const rows = [...this.list.querySelectorAll(ROWS)];
    const at = rows.indexOf(this.rowOf(this.selected));
    const gone = rows[at]?.closest(speaker ? ".rd-speaker" : ".rd-session");
    const after = rows.slice(at + 1).find((r) => !gone?.contains(r)) ?? rows[at - 1];
    const command = speaker
      ? { action: "remove_speaker", speaker_id: speaker.id }
      : { action: "remove_session", session_id: session.id };
    if (await this.commands.run(command)) this.focusRow(after ? keyOf(after) : null);
    else this.rowOf(this.selected)?.focus();
  }

  /** Move a speaker one step; the place is worked out when the command's turn comes (it
   * may have been held while another console changed the plan). */
  async move(speaker, step) {
    if (!moveTarget(this.programme, speaker.id, step)) return;
    await this.commands.run(() => ({
      action: "move_speaker",
      speaker_id: speaker.id,
      ...moveTarget(this.programme, speaker.id, step),
    }));
    this.rowOf(this.selected)?.focus();
  }

  focusRow(key) {
    this.selected = key;
    const row = this.rowOf(key);
    row?.focus();
    row?.scrollIntoView({ block: "nearest" });
  }

  /** The editor's keys, while it is on and the moderator is not typing. */
  key(event) {
    if (!this.on || event.altKey || event.ctrlKey || event.metaKey || event.isComposing) return;
    if (typingIn(event.target) || document.querySelector("dialog:modal")) return;
    const key = event.key;
    if (key === "ArrowUp" || key === "ArrowDown") {
      event.preventDefault();
      const step = key === "ArrowUp" ? -1 : 1;
      if (event.shiftKey) this.act(step < 0 ? "up" : "down");
      else this.step(step);
      return;
    }
    const what = KEYS[key];
    if (what && !event.repeat) {
      event.preventDefault();
      this.act(what);
    }
  }

  /** Select the row above or below. */
  step(by) {
    const rows = [...this.list.querySelectorAll(ROWS)];
    const at = rows.indexOf(this.rowOf(this.selected));
    const next = rows[Math.min(Math.max(at + by, 0), rows.length - 1)];
    if (next) this.focusRow(keyOf(next));
  }
}
