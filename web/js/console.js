// The moderator console: the rundown, the timers, and every command, each sent with the
// version the moderator was looking at, so two moderators never act twice.

import { lang, langButton, onLang, t, translate } from "./i18n.js";
import "./labels-console.js"; // before any label is read
import {
  apiUrl,
  commandId,
  countdown,
  durationText,
  el,
  everyFrame,
  firstShown,
  keepToken,
  Live,
  loadProgramme,
  localized,
  mmss,
  personName,
  presenceChip,
  scheduleAt,
  setText,
  shiftText,
  show,
  showDrift,
  statusCorner,
  takeToken,
  timeOfDay,
  timerCountdown,
  timerLeft,
} from "./podium.js";
import { AutomationsLine } from "./console-automations.js";
import { showMessageAges } from "./console-messages.js";
import { QuestionDesk } from "./console-questions.js";
import { SpeakerDesk } from "./console-speakers.js";

const $ = (id) => document.getElementById(id);
const live = new Live({ client: "console", token: takeToken() });
/* Who this console is, sent with every command (``actor``): the state's ``last_change``
 * and ``undo`` then tell this console's own changes from everyone else's. */
const CONSOLE_ID = consoleId();
/* A press this soon after another console's change has arrived is held and asked about:
 * nobody can have seen that change yet, so the press was meant for what was before.
 * Only moves (what is on, the timer, undo, blackout) count, both ways: messages and the
 * plan's day do not depend on what is on. Changes from the HTTP API (``podium ctl``, a
 * button box) are the moderator's own devices or scripts, and are not held for. */
const HOLD_MS = 1000;
const MOVES = new Set([
  "start_session", "next", "previous", "goto", "pause", "resume", "add_time", "end_session",
  "undo", "blackout", "hold",
]);
let foreignSeenAt = -Infinity; // performance.now() when another's change last arrived
let programme = null;
let signedIn = false;

// -- signing in ---------------------------------------------------------------------------

function showLogin(failed) {
  signedIn = false;
  document.body.classList.remove("signed-in");
  show($("login"), true);
  show($("desk"), false);
  show($("login-error"), failed);
  $("token").focus();
}

live.on("auth", (role) => {
  if (role !== "moderator") {
    showLogin(true);
    return;
  }
  keepToken(live.token);
  signedIn = true;
  document.body.classList.add("signed-in");
  show($("login"), false);
  show($("desk"), true);
  render();
});

live.on("error", (error) => {
  if (error.code === "unauthorized") {
    keepToken(null);
    showLogin(true);
  }
});

$("login-form").addEventListener("submit", (event) => {
  event.preventDefault();
  live.authenticate($("token").value.trim());
});

$("signout").addEventListener("click", () => {
  keepToken(null);
  location.reload();
});

// -- commands -------------------------------------------------------------------------------

let feedbackWords = () => "";
const desk = new SpeakerDesk(live, (words, kind) => feedback(words, kind));
new AutomationsLine(live);
new QuestionDesk(live);

/** The line under the controls. ``words`` makes its text, so that it is said again in the
 * new language after a switch. */
function feedback(words, kind = "info") {
  feedbackWords = words;
  $("feedback").dataset.kind = kind;
  setText($("feedback"), words());
}

onLang(() => setText($("feedback"), feedbackWords()));

/** A few words on what is on now, for the conflict explanation. */
function nowInWords(state) {
  if (!state.session) {
    return t(state.phase === "finished" ? "phase.finished" : "console.no_session");
  }
  const who = state.speaker ? state.speaker.display_name : "";
  return [state.session.title, who].filter(Boolean).join(" — ");
}

function consoleId() {
  const key = "podium.console";
  let id = null;
  try {
    id = sessionStorage.getItem(key);
  } catch {
    // no storage: a new id for this page
  }
  if (!id) {
    id = `console:${crypto.getRandomValues(new Uint32Array(2)).join("").slice(0, 10)}`;
    try {
      sessionStorage.setItem(key, id);
    } catch {
      // kept for this page only
    }
  }
  return id;
}

live.on("state", (state, kind) => {
  const change = state.last_change;
  const byAnother =
    (change?.actor?.startsWith("console:") && change.actor !== CONSOLE_ID) ||
    change?.actor === "system"; // an item that ended itself: a press now was meant before
  if (kind === "state" && byAnother && MOVES.has(change.action)) {
    foreignSeenAt = performance.now();
  }
});

/** "Another console" / "you" / "Someone else (http:…)": who made a change. */
function who(actor, start = false) {
  if (actor === CONSOLE_ID) return t("console.by.you");
  if (actor === "system") return t(start ? "console.who.system" : "console.by.system");
  if (actor?.startsWith("console:")) return t(start ? "console.who.console" : "console.by.console");
  return t("console.who.other", { actor: actor ?? "?" });
}

/** "+1 min", "−30 s": the time an add_time change gave, from its summary. */
function addedWords(change) {
  const seconds = Number(/([+-]\d+)s/.exec(change.summary)?.[1] ?? 0);
  const sign = seconds < 0 ? "−" : "+";
  return sign + durationText(Math.abs(seconds) * 1000);
}

/** What a change did, in words: "moved to Mr. Ran XIAO", "paused the timer". */
function changeWords(change) {
  const target = change.summary.split(" -> ").pop().replace(/^[a-z_]+: /, "");
  if (["start_session", "next", "previous", "goto"].includes(change.action)) {
    return t("change.moved", { name: target });
  }
  if (change.action === "add_time") return t("change.add_time", { d: addedWords(change) });
  if (["pause", "resume", "end_session"].includes(change.action)) return t(`change.${change.action}`);
  return t("change.other", { summary: change.summary });
}

/** Ask before acting on a state another console changed a moment ago. */
function stillWanted(body) {
  const change = live.state?.last_change;
  if (!change) return Promise.resolve(true);
  const action = t(`action.${body.action}`);
  return confirmDialog(
    t("console.hold", { who: who(change.actor, true), change: changeWords(change), action }),
  );
}

/** Wait (at most HOLD_MS) for the push of ``version`` to arrive. */
async function caughtUp(version) {
  for (let waited = 0; live.version < version && waited < HOLD_MS; waited += 50) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/* This console's own commands go one at a time: a key pressed while the previous
 * command is in flight is sent once its ack has arrived, naming the version that ack
 * made, so a quick "pause, +1 min" is never a conflict with itself. */
let queue = Promise.resolve();
let acked = -1; // the version our last ack made; its state push may still be on its way

/** ``command`` may be a function: then it is decided when its turn comes (pause/resume).
 * Within HOLD_MS of another console's change, or when another console acted first (a
 * conflict), the command is held and the moderator asked whether it still holds. */
function run(command) {
  const decide = () => (typeof command === "function" ? command() : command);
  const turn = queue.then(async () => {
    const move = MOVES.has(decide().action);
    if (move && performance.now() - foreignSeenAt < HOLD_MS && !(await stillWanted(decide()))) {
      return notSent(decide());
    }
    const expected = Math.max(live.version, acked);
    const result = await send(decide(), expected, move);
    if (result?.code !== "conflict") return result;
    await caughtUp(result.version);
    if (live.version < result.version) return send(decide(), expected); // unseen: explain
    if (!(await stillWanted(decide()))) return notSent(decide());
    return send(decide(), live.version);
  });
  queue = turn.catch(() => null);
  return turn;
}

const OUTCOME_RETRIES = 3; // sends of a command the server could not tell was made

function notSent(body) {
  feedback(() => t("console.not_sent", { action: t(`action.${body.action}`) }), "info");
  return null;
}

/** Send one command; resolves with the ack, or null after saying what went wrong (with
 * ``askOnConflict``, a conflict resolves with the error, for ``run`` to ask about). */
async function send(command, expected, askOnConflict = false) {
  const label = () => t(`action.${command.action}`);
  if (live.status !== "live") {
    feedback(() => t("console.offline", { action: label() }), "error");
    return null;
  }
  try {
    const ack = await sendOnce({ ...command, actor: CONSOLE_ID, command_id: commandId() }, expected);
    acked = Math.max(acked, ack.version);
    feedback(() => t("console.done", { action: label() }), "ok");
    return ack;
  } catch (error) {
    if (error.code === "conflict" && askOnConflict) return error;
    if (error.code === "conflict") {
      // the push of that version may still be on its way: describe only what is known
      const state = live.version >= error.version ? live.state : null;
      const words = () =>
        [
          t("console.conflict", { v: error.version, action: label() }),
          state ? t("console.conflict.now", { now: nowInWords(state) }) : "",
          t("console.conflict.again"),
        ]
          .filter(Boolean)
          .join(" ");
      feedback(words, "conflict");
    } else if (error.code === "disconnected") {
      feedback(() => t("console.offline", { action: label() }), "error");
    } else {
      feedback(() => t("console.error", { message: error.message }), "error");
    }
    return null;
  }
}

/** Send; while the answer is ``outcome_unknown`` send the same command (same id) again:
 * the server applies it at most once, and answers a repeat with the version it made. */
async function sendOnce(command, expected, tries = OUTCOME_RETRIES) {
  try {
    return await live.command(command, expected);
  } catch (error) {
    if (error.code !== "outcome_unknown" || tries <= 1) throw error;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    return sendOnce(command, expected, tries - 1);
  }
}

function confirmDialog(text) {
  const dialog = $("confirm");
  setText($("confirm-text"), text);
  dialog.returnValue = "";
  dialog.showModal();
  $("confirm-ok").focus();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
  });
}

function sessionById(id) {
  return programme?.sessions.find((s) => s.id === id);
}

/** The first session that has not run: what "Start session" starts. */
function nextSession() {
  const row = live.state?.schedule.find((r) => r.status === "next");
  return row ? sessionById(row.id) : null;
}

async function startNext() {
  const current = live.state?.session;
  if (current) {
    feedback(() => t("console.start.live", { title: current.title }), "error");
    return;
  }
  const session = nextSession();
  if (session) await run({ action: "start_session", session_id: session.id });
}

async function endSession() {
  const session = live.state?.session;
  if (!session) return;
  if (await confirmDialog(t("console.confirm.end", { title: session.title }))) {
    await run({ action: "end_session" });
  }
}

/** Jump to a session or a speaker: after a confirm, ending what is live in the same action. */
async function jump({ session, speaker }) {
  const current = live.state.session;
  const switching = current && current.id !== session.id;
  const words = speaker
    ? t(switching ? "console.confirm.switch_goto" : "console.confirm.goto", {
        live: current?.title,
        name: personName(speaker),
      })
    : t(switching ? "console.confirm.switch" : "console.confirm.start", {
        live: current?.title,
        title: session.title,
      });
  if (!(await confirmDialog(words))) return;
  const end = switching ? { end_live: true } : {}; // one action: one undo brings it back
  if (speaker) await run({ action: "goto", speaker_id: speaker.id, ...end });
  else await run({ action: "start_session", session_id: session.id, ...end });
}

const ACTIONS = {
  previous: () => run({ action: "previous" }),
  next: () => run({ action: "next" }),
  pause: () => run(() => ({ action: live.state?.timer.status === "paused" ? "resume" : "pause" })),
  plus: () => run({ action: "add_time", seconds: 60 }),
  minus: () => run({ action: "add_time", seconds: -60 }),
  undo: undoLast,
  start: startNext,
  end: endSession,
  blackout: () => run(() => ({ action: "blackout", on: !live.state?.blackout })),
  clear: () => run({ action: "clear_message" }),
  hold: () => run(() => ({ action: "hold", on: !live.state?.auto_advance?.held })),
  cue_wrap_up: () => run({ action: "cue", kind: "wrap_up" }),
  cue_stop: () => run({ action: "cue", kind: "stop" }),
  cue_clear: () => run({ action: "clear_cue" }),
};

/** "Undo +1 min by another console, 3 s ago": what undo would undo, and who did it. */
function undoWords(key) {
  const undo = live.state?.undo;
  if (!undo) return "";
  const what = undo.action === "add_time" ? addedWords(undo) : t(`action.${undo.action}`);
  const ago = durationText(Math.max(live.clock.now() - undo.at, 0));
  return t(key, { what, who: who(undo.actor), ago });
}

/** Undo; another console's change only after a confirm that names it. */
async function undoLast() {
  const undo = live.state?.undo;
  if (!undo) return;
  if (undo.actor !== CONSOLE_ID && !(await confirmDialog(undoWords("console.undo.confirm")))) {
    return;
  }
  await run({ action: "undo" });
}

/** The day of the plan, when the programme has none: today in the event's zone. */
function today() {
  const zone = programme?.timezone;
  return new Intl.DateTimeFormat("en-CA", { timeZone: zone }).format(new Date(live.clock.now()));
}

$("date-today").addEventListener("click", () => run({ action: "set_plan_date", date: today() }));
$("date-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const date = $("date-value").value;
  if (date) run({ action: "set_plan_date", date });
});

for (const button of document.querySelectorAll(".controls [data-action]")) {
  button.addEventListener("click", () => ACTIONS[button.dataset.action]());
}

$("message-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = $("message-text").value.trim();
  if (!text) return;
  const target = new FormData($("message-form")).get("target");
  const pinned = $("message-pin").checked;
  if (await run({ action: "show_message", text, target, pinned })) $("message-text").value = "";
});
$("message-text").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault(); // Enter sends; Shift+Enter starts a new line
    $("message-form").requestSubmit();
  }
});
$("message-clear").addEventListener("click", ACTIONS.clear);
$("btn-hold").addEventListener("click", ACTIONS.hold);
// the list sits at the foot of its panel: opened (by ``?`` or a click), it scrolls into view
$("keys").addEventListener("toggle", () => {
  if ($("keys").open) $("keys").scrollIntoView({ block: "nearest" });
});
$("report").addEventListener("click", openReport);

/** The event report, made by the server, opened in a new tab from a blob URL. */
async function openReport() {
  let response;
  try {
    response = await fetch(apiUrl("/api/report?format=html"), {
      headers: { Authorization: `Bearer ${live.token}` },
    });
  } catch {
    feedback(() => t("console.report.failed", { message: t("status.reconnecting") }), "error");
    return;
  }
  if (!response.ok) {
    let message = `HTTP ${response.status}`;
    try {
      message = (await response.json()).error.message;
    } catch {
      // not our JSON error: the status says enough
    }
    feedback(() => t("console.report.failed", { message }), "error");
    return;
  }
  const url = URL.createObjectURL(await response.blob());
  if (!window.open(url, "_blank")) feedback(() => t("console.report.blocked"), "error");
}

// -- keyboard -------------------------------------------------------------------------------

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
};

document.addEventListener("keydown", (event) => {
  if (!signedIn || $("confirm").open || event.altKey || event.isComposing) return;
  const target = event.target;
  const typing = target.closest?.("input, textarea, select");
  if (typing) {
    if (event.key === "Escape") target.blur();
    return;
  }
  const key = event.key.toLowerCase();
  if ((event.ctrlKey || event.metaKey) && key === "z") {
    event.preventDefault();
    ACTIONS.undo();
    return;
  }
  if (event.ctrlKey || event.metaKey) return;
  if (key === "enter" && target.closest?.("button, summary, a")) return; // Space stays "pause"
  if (key === "m") {
    event.preventDefault();
    $("message-text").focus();
  } else if (key === "?") {
    $("keys").open = !$("keys").open;
  } else if (KEYS[key]) {
    event.preventDefault();
    if (!event.repeat) ACTIONS[KEYS[key]]();
  }
});

// -- rendering ------------------------------------------------------------------------------

const liveCells = []; // projected times: refreshed every second
const frameCells = []; // the live speaker's time: refreshed with the big timer

function hm(epochMs) {
  return timeOfDay(epochMs, programme.timezone, { lang });
}

function speakerRow(session, speaker, index, state, row) {
  const run = state.speakers_run[speaker.id];
  const isLive = state.session?.id === session.id && state.speaker?.id === speaker.id;
  const isNext = state.next_speaker?.id === speaker.id;
  const given = row.speakers[speaker.id]; // live, done, skipped or upcoming
  const status = isLive ? "live" : isNext && given === "upcoming" ? "next" : given;
  const item = el("li", `rd-speaker is-${status}`);
  const button = el("button", "rd-speaker-button");
  button.type = "button";
  button.dataset.speaker = speaker.id;
  button.append(el("span", "rd-index num", String(index + 1)));
  const who = el("span", "rd-who");
  who.append(el("span", "rd-name", personName(speaker)));
  if (speaker.affiliation) who.append(el("span", "rd-aff", localized(speaker, "affiliation")));
  button.append(who);
  if (speaker.presence !== "in_room") {
    button.append(presenceChip(el("span"), speaker.presence));
  }
  const time = el("span", "rd-time num");
  if (run?.ended_at) {
    const used = run.ended_at - run.started_at;
    time.textContent = `${mmss(Math.round(used / 1000))} / ${mmss(speaker.allocation_ms / 1000)}`;
    time.classList.toggle("is-over", run.overtime_ms > 0); // the server's one rule
  } else if (isLive) {
    frameCells.push((now) => setText(time, countdown(timerLeft(live.state, now)).text));
  } else {
    time.textContent = durationText(speaker.allocation_ms);
  }
  button.append(time);
  if (status !== "upcoming") {
    const word = status === "next" ? t("label.next") : t(`state.${status}`);
    button.append(el("span", `state state-${status}`, word));
  }
  button.addEventListener("click", () => jump({ session, speaker }));
  item.append(button, desk.row(speaker, personName(speaker), isLive));
  return item;
}

function sessionRow(session, row, state) {
  const item = el("li", `rd-session is-${row.status}`);
  const head = el("button", "rd-session-head");
  head.type = "button";
  head.dataset.session = session.id;
  const when = el("span", "rd-when num");
  const planned = el("span", "rd-planned", `${hm(row.planned_start)}–${hm(row.planned_end)}`);
  const moved = el("span", "rd-moved");
  const shift = el("span", "rd-shift");
  when.append(planned, moved, shift);
  const refresh = () => {
    const current = scheduleAt(live.state, live.serverTime, live.clock.now()).rows.find(
      (r) => r.id === session.id,
    );
    if (current.status === "skipped") return;
    const start = current.actual_start ?? current.projected_start;
    const end = current.actual_end ?? current.projected_end;
    const late = shiftText(
      current.status === "done" ? end - current.planned_end : start - current.planned_start,
    );
    const words =
      current.status === "done"
        ? t("label.ran", { t: `${hm(start)}–${hm(end)}` })
        : current.status === "live"
          ? `${t("label.started", { t: hm(start) })} · ${t("label.projected_end", { t: hm(end) })}`
          : late
            ? `${t("label.projected")} ${hm(start)}`
            : "";
    setText(moved, words);
    setText(shift, late);
    shift.dataset.late = late.startsWith("+") ? "late" : late ? "early" : "";
  };
  refresh();
  liveCells.push(refresh);
  head.append(when);
  const title = el("span", "rd-title");
  title.append(el("span", "rd-session-title", localized(session, "title")));
  const meta = session.moderators.map(personName).join(", ");
  if (meta) title.append(el("span", "rd-aff", `${t("label.moderators")} ${meta}`));
  head.append(title);
  head.append(el("span", `state state-${row.status}`, t(`state.${row.status}`)));
  head.addEventListener("click", () => {
    if (row.status !== "live") jump({ session });
  });
  item.append(head);
  if (session.speakers.length) {
    const list = el("ol", "rd-speakers");
    session.speakers.forEach((speaker, i) =>
      list.append(speakerRow(session, speaker, i, state, row)),
    );
    item.append(list);
  }
  return item;
}

function renderRundown(state) {
  liveCells.length = 0;
  frameCells.length = 0;
  const list = $("rundown");
  const focused = document.activeElement;
  const focusKey = focused?.dataset?.speaker ?? focused?.dataset?.session;
  list.replaceChildren(
    ...programme.sessions.map((session) => {
      const row = state.schedule.find((r) => r.id === session.id);
      return sessionRow(session, row, state);
    }),
  );
  if (focusKey) {
    const key = CSS.escape(focusKey);
    list.querySelector(`[data-speaker="${key}"], [data-session="${key}"]`)?.focus();
  }
}

function render() {
  const state = live.state;
  if (!state || !programme || !signedIn) return;
  const session = state.session;
  const speaker = state.speaker;
  const idle = t(state.phase === "finished" ? "phase.finished" : "phase.idle");
  setText($("now-session"), session ? localized(session, "title") : idle);
  setText($("now-name"), speaker ? localized(speaker, "display_name") : session ? "" : "—");
  setText($("now-affiliation"), localized(speaker, "affiliation"));
  const presence = $("now-presence");
  show(presence, Boolean(speaker));
  if (speaker) {
    presenceChip(presence, speaker.presence);
  }
  const next = state.next_speaker;
  const last = session && speaker ? t("label.last_speaker") : "—";
  setText($("now-next"), next ? localized(next, "display_name") : last);
  const paused = state.timer.status === "paused";
  setText($("pause-label"), t(paused ? "console.resume" : "console.pause"));
  $("btn-pause").dataset.action = "pause";
  $("btn-pause").classList.toggle("is-on", paused);
  const upcoming = nextSession();
  setText($("start-sub"), upcoming && !session ? localized(upcoming, "title") : "");
  const blackout = $("btn-blackout");
  blackout.setAttribute("aria-pressed", String(state.blackout));
  blackout.classList.toggle("is-on", state.blackout);
  setText($("blackout-label"), t(state.blackout ? "console.blackout_off" : "console.blackout"));
  const isLive = Boolean(session);
  $("btn-start").disabled = isLive || !upcoming;
  $("btn-end").disabled = !isLive;
  for (const id of ["btn-pause", "btn-plus", "btn-minus"]) $(id).disabled = !isLive;
  $("btn-next").disabled = !next;
  $("btn-previous").disabled = !speaker || speaker.index === 0;
  $("btn-undo").disabled = !state.can_undo;
  for (const [id, kind] of [["btn-cue-wrap-up", "wrap_up"], ["btn-cue-stop", "stop"]]) {
    $(id).disabled = !isLive;
    $(id).setAttribute("aria-pressed", String(state.cue?.kind === kind));
  }
  $("btn-cue-clear").disabled = !state.cue;
  const { screen, viewers } = state.messages;
  $("message-clear").disabled = !screen && !viewers;
  show($("message-current"), Boolean(screen || viewers));
  const onScreen = screen?.pinned ? "console.message.on_screen_pinned" : "console.message.on_screen";
  show($("message-screen"), Boolean(screen));
  setText($("message-screen-label"), t(onScreen));
  setText($("message-screen-text"), screen?.text ?? "");
  show($("message-viewers"), Boolean(viewers));
  setText($("message-viewers-label"), t("console.message.to_viewers"));
  setText($("message-viewers-text"), viewers?.text ?? "");
  renderAutoAdvance(state);
  const guessed = state.plan_date_from === "clock";
  show($("date-form"), guessed);
  if (guessed) {
    setText($("date-hint-text"), t("console.date.hint", { date: state.plan_date }));
    if (!$("date-value").value) $("date-value").value = state.plan_date;
  }
  renderRundown(state);
  tick(live.clock.now());
  firstShown();
}

// -- an item that ends itself (on_end in the programme) ------------------------------------

function renderAutoAdvance(state) {
  const auto = state.auto_advance;
  show($("auto-advance"), Boolean(auto));
  $("btn-hold").setAttribute("aria-pressed", String(Boolean(auto?.held)));
  $("btn-hold").classList.toggle("is-on", Boolean(auto?.held));
  setText($("hold-label"), t(auto?.held ? "console.let_go" : "console.keep_on"));
}

/** "Advances by itself in 0:12", counted to the server's ``auto_advance.at``. */
function autoAdvanceWords(state, now) {
  const auto = state.auto_advance;
  if (!auto) return "";
  if (auto.held) return t("console.auto.held");
  if (auto.at === null) return t("console.auto.paused");
  const left = auto.at - now;
  if (left <= 0) return t("console.auto.now");
  const clock = mmss(Math.ceil(left / 1000)).replace(/^0(\d:)/, "$1");
  return t(`console.auto.in.${auto.action}`, { t: clock });
}

let lastSecond = null;

function tick(now) {
  const state = live.state;
  if (!state || !signedIn || !programme) return;
  const session = state.session;
  const timer = $("speaker-timer");
  if (session) {
    const shown = timerCountdown(state, now);
    setText($("speaker-left"), shown.text);
    timer.dataset.zone = state.timer.status === "paused" ? "paused" : shown.zone;
    const added = state.timer.added_ms;
    const of = t("label.of", { t: mmss(Math.round(state.timer.duration_ms / 1000)) });
    const sign = added > 0 ? "+" : "−";
    const extra = added ? ` · ${t("label.added", { m: sign + mmss(Math.abs(added) / 1000) })}` : "";
    setText($("speaker-sub"), of + extra);
    const left = session.ends_at - now;
    setText($("slot-left"), countdown(left).text);
    $("slot-timer").dataset.zone = countdown(left).zone;
    const started = t("label.started", { t: hm(session.started_at) });
    setText($("slot-sub"), `${started} · ${t("label.slot_ends", { t: hm(session.ends_at) })}`);
    const elapsed = Math.min(Math.max(1 - left / session.duration_ms, 0), 1);
    $("slot-fill").style.transform = `scaleX(${elapsed})`;
  } else {
    setText($("speaker-left"), "--:--");
    setText($("slot-left"), "--:--");
    setText($("speaker-sub"), "");
    setText($("slot-sub"), "");
    timer.dataset.zone = "normal";
    $("slot-timer").dataset.zone = "normal";
    $("slot-fill").style.transform = "scaleX(0)";
  }
  setText($("auto-advance-text"), autoAdvanceWords(state, now));
  for (const refresh of frameCells) refresh(now);
  const second = Math.floor(now / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    const { drift } = scheduleAt(state, live.serverTime, now);
    showDrift($("drift"), drift);
    const undoTitle = undoWords("console.undo.what");
    $("btn-undo").title = undoTitle;
    setText($("undo-sub"), undoTitle);
    for (const refresh of liveCells) refresh();
    showMessageAges(state.messages, now);
  }
}

translate();
langButton($("lang"));
statusCorner(live);
if (!live.token) showLogin(false);
live.on("state", render);
onLang(render);
const showEventTitle = () => setText($("event-title"), localized(programme, "title"));
onLang(showEventTitle);
loadProgramme().then((p) => {
  programme = p;
  desk.zone = p.timezone;
  showEventTitle();
  render();
});
everyFrame(live, tick);
