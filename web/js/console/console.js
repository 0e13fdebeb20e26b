// The moderator console: signing in, the speaker and the timers, the controls and the message
// box. Its parts live beside it: every command goes by console-commands.js (each sent with
// the version the moderator was looking at, so two moderators never act twice), the keys by
// console-keys.js, the rundown in console-rundown.js, the questions in console-questions.js.

import { lang, langButton, onLang, t, translate } from "../i18n.js";
import "./labels-console.js"; // before any label is read
import "./labels-plan.js";
import { apiUrl, keepToken, Live, takeToken } from "../connection.js";
import { countdown, mmss, timerCountdown } from "../countdown.js";
import {
  durationText,
  redrawn,
  firstShown,
  localized,
  personName,
  presenceChip,
  setText,
  show,
  showDrift,
  statusCorner,
  timeOfDay,
} from "../podium.js";
import { followPlan } from "../live/plan.js";
import { scheduleAt } from "../schedule.js";
import { currentDay } from "../days.js";
import { AutomationsLine } from "./console-automations.js";
import { Commands, confirmDialog } from "./console-commands.js";
import { showMessageAges } from "./console-messages.js";
import { HelpList, listenForKeys } from "./console-keys.js";
import { SessionPicker } from "./console-picker.js";
import { QuestionDesk } from "./console-questions.js";
import { openReport } from "./console-report.js";
import { PlanEditor } from "./console-plan.js";
import { PlanFile } from "./console-planfile.js";
import { Rundown } from "./console-rundown.js";
import { SpeakerDesk } from "./console-speakers.js";
import { signalBanner } from "../booth-signal.js";

const $ = (id) => document.getElementById(id);
const live = new Live({ client: "console", token: takeToken() });
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
  planFile.check();
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

const commands = new Commands(live);
const run = (command) => commands.run(command);
const feedback = (words, kind) => commands.feedback(words, kind);
const desk = new SpeakerDesk(live, feedback);
new AutomationsLine(live);
new QuestionDesk(live, commands);

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
  undo: () => commands.undo(),
  start: startNext,
  end: endSession,
  blackout: () => run(() => ({ action: "blackout", on: !live.state?.blackout })),
  clear: () => run({ action: "clear_message" }),
  hold: () => run(() => ({ action: "hold", on: !live.state?.auto_advance?.held })),
  cue_wrap_up: () => run({ action: "cue", kind: "wrap_up" }),
  cue_stop: () => run({ action: "cue", kind: "stop" }),
  cue_clear: () => run({ action: "clear_cue" }),
  // the keyboard's own
  message: () => $("message-text").focus(),
  help: () => help.toggle(),
  escape: () => {
    help.close();
    editor.escape();
  },
  plan: () => editor.toggle(),
  pick: () => picker.open(programme, live.state),
};

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
  $("message-text").blur(); // sent: the keys are shortcuts again
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
$("report").addEventListener("click", () => openReport(live.token, feedback));

// -- keyboard -------------------------------------------------------------------------------

const help = new HelpList($("keys"));
const picker = new SessionPicker((session) => jump({ session }), hm);
listenForKeys(ACTIONS, () => signedIn && !document.querySelector("dialog:modal"));

// -- rendering ------------------------------------------------------------------------------

function hm(epochMs) {
  return timeOfDay(epochMs, programme.timezone, { lang });
}

const rundown = new Rundown(live, { jump, desk, hm });
const editor = new PlanEditor(live, commands, { hm, render: () => render() });
rundown.editor = editor;
const planFile = new PlanFile(live, commands);

function render() {
  const state = live.state;
  if (!state || !programme || !signedIn) return;
  const session = state.session;
  const speaker = state.speaker;
  const idle = t(state.phase === "finished" ? "phase.finished" : "phase.idle");
  setText($("now-session"), session ? localized(session, "title") : idle);
  const day = currentDay(programme, state); // "Day 2 · Thursday 27 April", several days only
  show($("now-day"), Boolean(day));
  setText($("now-day"), day);
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
  rundown.render(programme, state);
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

/** "10 min planned · 8 min taken off": the speaker's allocation and what was changed. */
function timerWords({ duration_ms: duration, added_ms: added }) {
  const planned = t("console.timer.planned", { d: durationText(duration - added) });
  if (!added) return planned;
  const change = t(added > 0 ? "console.timer.added" : "console.timer.removed", {
    d: durationText(Math.abs(added)),
  });
  return `${planned} · ${change}`;
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
    setText($("speaker-sub"), timerWords(state.timer));
    const left = session.ends_at - now;
    setText($("slot-left"), countdown(left).text);
    $("slot-timer").dataset.zone = countdown(left).zone;
    setText($("slot-started"), t("label.started", { t: hm(session.started_at) }));
    setText($("slot-ends"), t("label.slot_ends", { t: hm(session.ends_at) }));
    const elapsed = Math.min(Math.max(1 - left / session.duration_ms, 0), 1);
    $("slot-fill").style.transform = `scaleX(${elapsed})`;
  } else {
    setText($("speaker-left"), "--:--");
    setText($("slot-left"), "--:--");
    setText($("speaker-sub"), "");
    setText($("slot-started"), "");
    setText($("slot-ends"), "");
    timer.dataset.zone = "normal";
    $("slot-timer").dataset.zone = "normal";
    $("slot-fill").style.transform = "scaleX(0)";
  }
  setText($("auto-advance-text"), autoAdvanceWords(state, now));
  rundown.frame(now);
  const second = Math.floor(now / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    const { drift } = scheduleAt(state, live.serverTime, now);
    showDrift($("drift"), drift, state.phase === "finished");
    const undoTitle = commands.undoWords("console.undo.what");
    $("btn-undo").title = undoTitle;
    setText($("undo-sub"), undoTitle);
    rundown.second();
    showMessageAges(state.messages, now);
  }
}

translate();
langButton($("lang"));
statusCorner(live);
signalBanner($("booth-signal"), live, { also: () => (lang.startsWith("zh") ? "zh" : "en") });
if (!live.token) showLogin(false);
live.on("state", render);
onLang(render);
const showEventTitle = () => setText($("event-title"), localized(programme, "title"));
onLang(showEventTitle);
followPlan(live, (p) => {
  programme = p;
  commands.programme = p;
  planFile.check();
  desk.zone = p.timezone;
  showEventTitle();
  render();
});
redrawn(live, tick);
