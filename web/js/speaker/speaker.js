// The speaker's own page, opened from their link (/speaker?room=ID#token=…), on a phone or
// beside a video call. Before their turn: where the day stands and when they start, in the
// event's time and their own; during it: the venue screen's countdown (the same clock
// sync, colours, cues and stage messages); after: when it ended. And "I'm ready", with a
// short note, for the moderators; the interpreters' signals while they speak; their script
// as a teleprompter (script-view.js). Options: ?sound=1 (a tone with each cue), ?lang=,
// ?script=1 (open the script at once), ?mirror=1 (the script mirrored for teleprompter glass).

import { cueBanner, setCueSound } from "../cue.js";
import { signalBanner } from "../booth-signal.js";
import { ScriptView } from "../script/script-view.js";
import { lang, langButton, onLang, t, translate } from "../i18n.js";
import "./labels-speaker.js"; // before any label is read
import { apiUrl, Live, loadProgramme, query, readHeaders, takeToken } from "../connection.js";
import { followPlan } from "../live/plan.js";
import { mmss, timerCountdown, timerLeft } from "../countdown.js";
import {
  durationText,
  redrawn,
  localized,
  personName,
  setText,
  show,
  statusCorner,
  timeOfDay,
  zoneName,
} from "../podium.js";
import { scheduleAt } from "../schedule.js";
import { inBothZones, localZone, otherZone } from "../zones.js";

const $ = (id) => document.getElementById(id);
const token = takeToken();
let programme = null;
let me = null; // { session, speaker } from the programme
let live = null;
let said = null; // what this page said last ({ ready, note }): said again after a reconnect
let mine = null; // this speaker's readiness as the moderators see it
let refusedWith = null;
let removed = false; // taken off the plan: the page says so (and the link goes with the turn)

// -- who is this ------------------------------------------------------------------------------

function refuse(key, detail = "") {
  if (removed && key === "speaker.refused.invalid") return; // the link went with the turn
  refusedWith = key;
  document.body.dataset.phase = "refused";
  show($("main"), false);
  show($("refused"), true);
  setText($("refused-text"), t(key));
  setText($("refused-detail"), detail ?? ""); // the server's words, as text
}

/** Whose link this is, from the server; null (after saying why) for a wrong one. */
async function whoAmI() {
  if (!token) {
    refuse("speaker.refused.no_token");
    return null;
  }
  for (let attempt = 0; ; attempt += 1) {
    try {
      const response = await fetch(apiUrl("/api/speakers/me"), { headers: readHeaders() });
      const body = await response.json();
      if (response.ok) return body.speaker_id;
      if (response.status < 500) {
        // a wrong or replaced link is said in the page's language; anything else, as is
        refuse("speaker.refused.invalid", response.status === 401 ? "" : body.error?.message);
        return null;
      }
    } catch (error) {
      if (!(error instanceof TypeError)) throw error; // TypeError: the network failed
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 250 * 2 ** attempt)));
  }
}

function find(speakerId) {
  for (const session of programme.sessions) {
    const speaker = session.speakers.find((s) => s.id === speakerId);
    if (speaker) return { session, speaker };
  }
  return null;
}

/** The plan as it is now: this speaker renamed, moved, given another time, or taken off the
 * programme (the page says so, and comes back if the change is undone). */
function takePlan(p, speakerId) {
  programme = p;
  setText($("event-title"), localized(programme, "title"));
  me = find(speakerId);
  removed = !me;
  show($("removed"), removed);
  if (removed) {
    refusedWith = null; // a link refused meanwhile was refused for this
    document.body.dataset.phase = "removed";
    show($("refused"), false);
    show($("main"), false);
  }
  renderState();
}

// -- where the day stands -------------------------------------------------------------------

/** This speaker's place in the day as of ``now``: "before", "during" or "after". */
function phaseOf(state) {
  const row = state.schedule.find((r) => r.id === me.session.id);
  const status = row?.speakers[me.speaker.id] ?? "upcoming";
  if (status === "live") return "during";
  return status === "done" || status === "skipped" ? "after" : "before";
}

/** How many speakers are still to come before this one (not counting the one on now),
 * and the estimated start (null when unknown). */
function ahead(state, now) {
  const { rows } = scheduleAt(state, live.serverTime, now);
  let count = 0;
  for (const session of programme.sessions) {
    const row = rows.find((r) => r.id === session.id);
    const status = (s) => row?.speakers[s.id];
    if (session.id !== me.session.id) {
      count += session.speakers.filter((s) => status(s) === "upcoming").length;
      continue;
    }
    let at = row?.status === "live" ? now : row?.projected_start;
    for (const s of session.speakers) {
      if (s.id === me.speaker.id) break;
      if (status(s) === "live") at = now + Math.max(timerLeft(state, now), 0);
      if (status(s) !== "upcoming") continue;
      count += 1;
      at += s.allocation_ms;
    }
    return { count, start: at ?? null };
  }
  return { count, start: null };
}

function renderState() {
  const state = live?.state;
  if (!state || !me || refusedWith) return;
  const phase = phaseOf(state);
  document.body.dataset.phase = phase;
  show($("main"), true);
  show($("before"), phase === "before");
  show($("during"), phase === "during");
  show($("after"), phase === "after");
  show($("ready-form"), phase === "before"); // "ready" is for what comes
  setText($("name"), personName(me.speaker));
  setText($("session"), localized(me.session, "title"));
  const onNow = state.speaker
    ? t("speaker.on_now", { name: localized(state.speaker, "display_name") })
    : state.session
      ? t("speaker.on_now", { name: localized(state.session, "title") })
      : t(state.phase === "finished" ? "phase.finished" : "phase.idle");
  setText($("on-now"), onNow);
  setText($("allocation"), durationText(me.speaker.allocation_ms));
  const paused = state.timer.status === "paused";
  show($("paused"), phase === "during" && paused);
  const message = state.messages.screen; // the stage's message, as the venue screen shows it
  show($("message"), phase === "during" && Boolean(message));
  setText($("message"), message ? message.text : "");
  const run = state.speakers_run[me.speaker.id];
  setText(
    $("after-text"),
    run?.ended_at
      ? t("speaker.after.ended", { t: inBothZones(programme.timezone, run.ended_at) })
      : t("speaker.after.passed"),
  );
  draw(live.clock.now());
}

function draw(now) {
  const state = live?.state;
  if (!state || !me || refusedWith) return;
  setText($("clock"), timeOfDay(now, programme.timezone, { seconds: true, lang }));
  const phase = document.body.dataset.phase;
  if (phase === "during") {
    const shown = timerCountdown(state, now);
    setText($("countdown"), shown.text);
    const zone = state.timer.status === "paused" ? "paused" : shown.zone;
    if (document.body.dataset.zone !== zone) document.body.dataset.zone = zone;
    setText($("of"), t("label.of", { t: mmss(Math.round(state.timer.duration_ms / 1000)) }));
  } else if (phase === "before") {
    const { count, start } = ahead(state, now);
    setText(
      $("headline"),
      count === 0
        ? t("speaker.next")
        : t(count === 1 ? "speaker.ahead.one" : "speaker.ahead", { n: count }),
    );
    document.body.classList.toggle("is-next", count === 0);
    const zone = programme.timezone;
    setText($("start-event"), start ? timeOfDay(start, zone, { lang }) : "—");
    setText($("zone-event"), start ? `${t("label.event_time")} · ${zoneName(zone, start)}` : "");
    const differs = start && otherZone(zone, start);
    show($("start-local-row"), Boolean(differs));
    if (differs) {
      setText($("start-local"), timeOfDay(start, localZone, { lang }));
      setText($("zone-local"), `${t("label.your_time")} · ${zoneName(localZone, start)}`);
    }
  }
}

// -- ready -----------------------------------------------------------------------------------

let readyId = 0;

function say(ready) {
  const note = $("note").value.trim();
  said = { ready, note };
  live.send({ type: "ready", id: `ready-${++readyId}`, ready, ...(note ? { note } : {}) });
}

function renderReady() {
  const ready = Boolean(mine?.ready);
  setText($("ready"), t(ready ? "speaker.not_ready" : "speaker.ready"));
  $("ready").classList.toggle("btn-primary", !ready);
  document.body.classList.toggle("is-ready", ready);
  const words = !mine
    ? ""
    : ready && mine.note
      ? t("speaker.state.ready_note", { note: mine.note })
      : ready
        ? t("speaker.state.ready")
        : t("speaker.state.connected");
  setText($("ready-state"), words);
}

$("ready-form").addEventListener("submit", (event) => {
  event.preventDefault();
  say(!mine?.ready);
});
$("sound").checked = query.get("sound") === "1";
$("sound").addEventListener("change", () => setCueSound($("sound").checked));

// -- start -----------------------------------------------------------------------------------

translate();
langButton($("lang"));
onLang(() => {
  if (refusedWith) setText($("refused-text"), t(refusedWith));
  renderState();
  renderReady();
});

// a speaker link pasted into this open tab changes only its fragment: open that link's page
addEventListener("hashchange", () => {
  if (new URLSearchParams(location.hash.slice(1)).has("token")) location.reload();
});

const speakerId = await whoAmI();
if (speakerId) {
  const first = await loadProgramme();
  onLang(() => setText($("event-title"), localized(programme, "title")));
  live = new Live({ client: "speaker", token });
  followPlan(live, (p) => takePlan(p, speakerId), first);
  statusCorner(live);
  cueBanner($("cue"), live);
  signalBanner($("booth-signal"), live, { only: () => speakerId });
  if (me?.speaker.has_script) {
    const scripts = new ScriptView(() => token);
    const open = () => scripts.open(speakerId, personName(me.speaker));
    show($("script"), true);
    $("script").addEventListener("click", open);
    if (query.get("script") === "1") open();
  }
  live.on("state", renderState);
  live.on("auth", () => {
    if (said?.ready) say(true); // a reconnect: the server forgot; say it again
  });
  live.on("readiness", (speakers) => {
    mine = speakers[speakerId] ?? mine;
    renderReady();
  });
  live.on("error", (error) => {
    if (error.code === "unauthorized") refuse("speaker.refused.invalid");
  });
  redrawn(live, draw);
}
