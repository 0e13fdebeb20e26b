// The console's one way to send a command, used by every panel of it (the controls, the
// keys, the rundown, the message box, the questions): each command goes with this tab's id
// (``actor``), one at a time, with the version the moderator was looking at, held and asked
// about right after another console's move, sent again while the server cannot tell whether
// it was made, and said in words on the feedback line under the controls.

import { onLang, t } from "../i18n.js";
import { commandId } from "../connection.js";
import { durationText, localized, personName, setText } from "../podium.js";

const $ = (id) => document.getElementById(id);

/* A press this soon after another console's change has arrived is held and asked about:
 * nobody can have seen that change yet, so the press was meant for what was before.
 * Only moves (what is on, the timer, undo, blackout) count, both ways: messages and the
 * plan's day do not depend on what is on. Changes from the HTTP API (``podium ctl``, a
 * button box) are the moderator's own devices or scripts, and are not held for. */
export const HOLD_MS = 1000;
const MOVES = new Set([
  "start_session", "next", "previous", "goto", "pause", "resume", "add_time", "end_session",
  "undo", "blackout", "hold",
]);
const OUTCOME_RETRIES = 3; // sends of a command the server could not tell was made
const ID_KEY = "podium.console";

/** This tab's id: kept in sessionStorage, so a reload is the same console and another
 * tab is another one. */
function consoleId() {
  let id = null;
  try {
    id = sessionStorage.getItem(ID_KEY);
  } catch {
    // no storage: a new id for this page
  }
  if (!id) {
    id = `console:${crypto.getRandomValues(new Uint32Array(2)).join("").slice(0, 10)}`;
    try {
      sessionStorage.setItem(ID_KEY, id);
    } catch {
      // kept for this page only
    }
  }
  return id;
}

/** "+1 min", "−30 s": a change of time in words. */
function timeWords(seconds) {
  return (seconds < 0 ? "−" : "+") + durationText(Math.abs(seconds) * 1000);
}

/** A command or a change as the moderator names it: "Next", "+1 min". */
export function actionWords(action) {
  if (action.action !== "add_time") return t(`action.${action.action}`);
  return timeWords(action.seconds ?? 0);
}

/** A few words on what is on now, for the conflict explanation. */
function nowInWords(state) {
  if (!state.session) {
    return t(state.phase === "finished" ? "phase.finished" : "console.no_session");
  }
  const who = state.speaker ? state.speaker.display_name : "";
  return [state.session.title, who].filter(Boolean).join(" — ");
}

/** Who or what a change put on, in the page's language: the speaker, else (a session
 * without speakers) the session's title. */
function putOn(change, programme) {
  const session = programme?.sessions.find((s) => s.id === change.session_id);
  const speaker = session?.speakers.find((sp) => sp.id === change.speaker_id);
  if (speaker) return personName(speaker);
  return session ? localized(session, "title") : change.speaker_id ?? change.session_id ?? "";
}

/** What a change did, in the page's language, from its fields (never its English
 * ``summary``): "moved to Mr. Ran XIAO", "paused the timer", "undid +1 min". */
export function changeWords(change, programme) {
  if (["start_session", "next", "previous", "goto"].includes(change.action)) {
    return t("change.moved", { name: putOn(change, programme) });
  }
  if (change.action === "add_time") return t("change.add_time", { d: actionWords(change) });
  if (["pause", "resume", "end_session"].includes(change.action)) return t(`change.${change.action}`);
  if (change.action === "undo" && change.undone) {
    return t("change.undo", { what: actionWords(change.undone) });
  }
  return t("change.other", { action: actionWords(change) });
}

/** Ask in the console's confirm dialog; resolves true for Confirm. */
export function confirmDialog(text) {
  const dialog = $("confirm");
  setText($("confirm-text"), text);
  dialog.returnValue = "";
  dialog.showModal();
  $("confirm-ok").focus();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
  });
}

export class Commands {
  constructor(live) {
    this.live = live;
    this.id = consoleId();
    this.foreignSeenAt = -Infinity; // performance.now() when another's change last arrived
    /* This console's own commands go one at a time: a key pressed while the previous
     * command is in flight is sent once its ack has arrived, naming the version that ack
     * made, so a quick "pause, +1 min" is never a conflict with itself. */
    this.queue = Promise.resolve();
    this.acked = -1; // the version our last ack made; its state push may still be on its way
    this.words = () => "";
    this.programme = null; // for the names a change puts on (console.js sets it)
    this.offline = false; // the feedback line says a command was not sent for want of a link
    live.on("state", (state, kind) => this.seen(state.last_change, kind));
    live.on("status", (status) => {
      if (status === "live" && this.offline) this.feedback(() => "");
    });
    onLang(() => setText($("feedback"), this.words()));
  }

  seen(change, kind) {
    const byAnother =
      (change?.actor?.startsWith("console:") && change.actor !== this.id) ||
      change?.actor === "system"; // an item that ended itself: a press now was meant before
    if (kind === "state" && byAnother && MOVES.has(change.action)) {
      this.foreignSeenAt = performance.now();
    }
  }

  /** The line under the controls. ``words`` makes its text, so that it is said again in
   * the new language after a switch. */
  feedback(words, kind = "info", offline = false) {
    this.words = words;
    this.offline = offline;
    $("feedback").dataset.kind = kind;
    setText($("feedback"), words());
  }

  /** "Another console" / "you" / "Someone else (http:…)": who made a change. */
  who(actor, start = false) {
    if (actor === this.id) return t("console.by.you");
    if (actor === "system") return t(start ? "console.who.system" : "console.by.system");
    if (actor?.startsWith("console:")) return t(start ? "console.who.console" : "console.by.console");
    return t("console.who.other", { actor: actor ?? "?" });
  }

  /** Ask before acting on a state another console changed a moment ago. */
  stillWanted(body) {
    const change = this.live.state?.last_change;
    if (!change) return Promise.resolve(true);
    const words = { who: this.who(change.actor, true), change: changeWords(change, this.programme) };
    return confirmDialog(t("console.hold", { ...words, action: actionWords(body) }));
  }

  /** Wait (at most HOLD_MS) for the push of ``version`` to arrive. */
  async caughtUp(version) {
    for (let waited = 0; this.live.version < version && waited < HOLD_MS; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Send a command; resolves with its ack, or null (not sent, or refused: the feedback
   * line says why). ``command`` may be a function: then it is decided when its turn comes
   * (pause/resume). Within HOLD_MS of another console's change, or when another console
   * acted first (a conflict), the command is held and the moderator asked whether it
   * still holds; ``asked``: the moderator has just confirmed it (an undo of another
   * console's change), so only a conflict asks again. */
  run(command, { asked = false } = {}) {
    const decide = () => (typeof command === "function" ? command() : command);
    const turn = this.queue.then(async () => {
      const move = MOVES.has(decide().action);
      const recent = !asked && performance.now() - this.foreignSeenAt < HOLD_MS;
      if (move && recent && !(await this.stillWanted(decide()))) return this.notSent(decide());
      const expected = Math.max(this.live.version, this.acked);
      const result = await this.send(decide(), expected, move);
      if (result?.code !== "conflict") return result;
      await this.caughtUp(result.version);
      if (this.live.version < result.version) return this.send(decide(), expected); // explain
      if (!(await this.stillWanted(decide()))) return this.notSent(decide());
      return this.send(decide(), this.live.version);
    });
    this.queue = turn.catch(() => null);
    return turn;
  }

  notSent(body) {
    this.feedback(() => t("console.not_sent", { action: actionWords(body) }));
    return null;
  }

  /** Send one command; resolves with the ack, or null after saying what went wrong (with
   * ``askOnConflict``, a conflict resolves with the error, for ``run`` to ask about). */
  async send(command, expected, askOnConflict = false) {
    const label = () => actionWords(command);
    const offline = () => this.feedback(() => t("console.offline", { action: label() }), "error", true);
    if (this.live.status !== "live") {
      offline();
      return null;
    }
    try {
      const body = { ...command, actor: this.id, command_id: commandId() };
      const ack = await this.sendOnce(body, expected);
      this.acked = Math.max(this.acked, ack.version);
      this.feedback(() => t("console.done", { action: label() }), "ok");
      return ack;
    } catch (error) {
      if (error.code === "conflict" && askOnConflict) return error;
      if (error.code === "conflict") {
        // the push of that version may still be on its way: describe only what is known
        const state = this.live.version >= error.version ? this.live.state : null;
        const words = () =>
          [
            t("console.conflict", { v: error.version, action: label() }),
            state ? t("console.conflict.now", { now: nowInWords(state) }) : "",
            t("console.conflict.again"),
          ]
            .filter(Boolean)
            .join(" ");
        this.feedback(words, "conflict");
      } else if (error.code === "disconnected") {
        offline();
      } else {
        this.feedback(() => t("console.error", { message: error.message }), "error");
      }
      return null;
    }
  }

  /** Send; while the answer is ``outcome_unknown`` send the same command (same id) again:
   * the server applies it at most once, and answers a repeat with the version it made. */
  async sendOnce(command, expected, tries = OUTCOME_RETRIES) {
    try {
      return await this.live.command(command, expected);
    } catch (error) {
      if (error.code !== "outcome_unknown" || tries <= 1) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000));
      return this.sendOnce(command, expected, tries - 1);
    }
  }

  /** "Undo +1 min by another console, 3 s ago": what undo would undo, and who did it. */
  undoWords(key) {
    const undo = this.live.state?.undo;
    if (!undo) return "";
    const ago = durationText(Math.max(this.live.clock.now() - undo.at, 0));
    return t(key, { what: actionWords(undo), who: this.who(undo.actor), ago });
  }

  /** Undo; another console's change only after a confirm that names it. */
  async undo() {
    const undo = this.live.state?.undo;
    if (!undo) return;
    const foreign = undo.actor !== this.id;
    if (foreign && !(await confirmDialog(this.undoWords("console.undo.confirm")))) return;
    await this.run({ action: "undo" }, { asked: foreign }); // asked once is enough
  }
}
