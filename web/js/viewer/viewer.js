// The remote viewer page: what is on, who speaks, time left, the agenda in two time zones,
// live captions (CC), and the day as it was a stream's delay ago (viewer-delay.js).
// Query options: ?compact=1 (the live card alone, for an iframe), ?delay=SECONDS (matched to
// a delayed stream), ?from=room (the venue screen's link: questions count as the room's),
// ?lang=, ?room=.

import { lang, langButton, onLang, t, translate } from "../i18n.js";
import { Live, query, takeToken } from "../connection.js";
import { followPlan } from "../live/plan.js";
import { timerCountdown, timerLeft } from "../countdown.js";
import {
  durationText,
  el,
  redrawn,
  firstShown,
  localized,
  personName,
  presenceChip,
  setText,
  shiftText,
  show,
  showDrift,
  statusCorner,
  timeOfDay,
  zoneName,
} from "../podium.js";
import { scheduleAt } from "../schedule.js";
import { breakUntil, currentDay, withDays } from "../days.js";
import { inBothZones, localZone, otherZone } from "../zones.js";
import { CaptionBox } from "../captions.js";
import { Delayed, delaySetting } from "./viewer-delay.js";

const $ = (id) => document.getElementById(id);
// ?compact=1: the live card alone, for an iframe on the event's website (docs/pages.md)
if (query.get("compact") === "1") document.body.classList.add("compact");
const live = new Live({ client: "viewer", token: takeToken(), first: true });
const view = new Delayed(live); // what the page shows: the live state, or a delay's
const CC_KEY = "podium.cc.viewer";
let questions = null; // the audience's questions: loaded once the state is shown (late)
let programme = null;
let announced;
let lastSecond = null;

function eventTime(at) {
  return timeOfDay(at, programme.timezone, { lang });
}

/** A time in the event's zone and, when it differs, the viewer's: "09:35 (02:35 CET)". */
function bothTimes(at, until = null) {
  return inBothZones(programme.timezone, at, until);
}

/** Tell screen-reader users when the speaker changes (not on every state push). */
function announce(state) {
  const speaker = state.speaker;
  const key = speaker ? speaker.id : null;
  if (key === announced) return;
  const first = announced === undefined;
  announced = key;
  if (first) return;
  setText(
    $("announce"),
    !speaker
      ? t("viewer.announce_none")
      : speaker.affiliation
        ? t("viewer.announce_aff", {
            name: localized(speaker, "display_name"),
            aff: localized(speaker, "affiliation"),
          })
        : t("viewer.announce", { name: localized(speaker, "display_name") }),
  );
}

function renderNow(state) {
  const session = state.session;
  const speaker = state.speaker;
  $("now-card").dataset.phase = session ? "live" : state.phase;
  setText(
    $("now-session"),
    session
      ? localized(session, "title")
      : t(state.phase === "finished" ? "phase.finished" : "phase.idle"),
  );
  show($("now-body"), Boolean(session));
  const day = currentDay(programme, state); // "Day 2 · Thursday 27 April", several days only
  show($("now-day"), Boolean(day));
  setText($("now-day"), day);
  renderUpNext(state, view.now());
  if (session) {
    setText($("now-name"), localized(speaker ?? session, speaker ? "display_name" : "title"));
    setText($("now-aff"), localized(speaker, "affiliation"));
    // a session without speakers (the closing segment) is a segment, not a person: "Now"
    const presence = speaker?.presence ?? "in_room";
    const label = !speaker
      ? "label.now"
      : presence === "in_room"
        ? "label.speaking"
        : `label.speaking.${presence}`;
    setText($("now-label"), breakUntil(programme, state) || t(label)); // "Break until 14:00"
    show($("paused"), state.timer.status === "paused");
    show($("now-presence"), Boolean(speaker));
    if (speaker) {
      presenceChip($("now-presence"), speaker.presence);
    }
    const next = state.next_speaker;
    show($("next-row"), Boolean(next));
    setText($("next-name"), localized(next, "display_name"));
  }
  const message = state.messages.viewers;
  show($("banner"), Boolean(message));
  setText($("banner-text"), message ? message.text : "");
}

/** Between sessions: the next one and its start, projected from ``now`` (scheduleAt), so it
 * moves with the clock through a break instead of staying where the last push left it. */
function renderUpNext(state, now) {
  const upcoming = !state.session && state.schedule.find((row) => row.status === "next");
  show($("now-upnext"), Boolean(upcoming));
  if (!upcoming) return;
  const title = localized(programme.sessions.find((s) => s.id === upcoming.id), "title");
  const at = scheduleAt(state, view.serverTime, now).rows.find((row) => row.id === upcoming.id)
    .projected_start;
  setText($("now-upnext"), t("viewer.upnext", { title, t: bothTimes(at) }));
}

function timeCell(at, className) {
  const cell = el("span", className);
  cell.append(el("span", "v-time-event num", eventTime(at)));
  if (otherZone(programme.timezone, at)) {
    const local = `${timeOfDay(at, localZone, { lang })} ${zoneName(localZone, at)}`;
    cell.append(el("span", "v-time-local num", local));
  }
  return cell;
}

/** Has the first session started? Before that, no lateness is shown: a rehearsal the
 * evening before (or a programme without a date) is nobody's lateness. */
function dayBegun(state) {
  return state.schedule.some((row) => row.actual_start !== null);
}

function renderAgenda(state, now) {
  const { rows } = scheduleAt(state, view.serverTime, now);
  const begun = dayBegun(state);
  const items = programme.sessions.map((session) => {
    const row = rows.find((r) => r.id === session.id);
    const item = el("li", `v-session is-${row.status}${session.kind === "break" ? " is-break" : ""}`);
    const start = row.actual_start ?? row.projected_start;
    item.append(timeCell(row.planned_start, "v-when"));
    const body = el("div", "v-session-body");
    const head = el("div", "v-session-head");
    head.append(el("span", "v-session-title", localized(session, "title")));
    if (session.kind === "break") head.append(el("span", "chip chip-break", t("break.tag")));
    if (row.status !== "upcoming") {
      head.append(el("span", `state state-${row.status}`, t(`state.${row.status}`)));
    }
    body.append(head);
    const facts = [durationText(row.planned_end - row.planned_start)];
    const shift = start === null || !begun ? "" : shiftText(start - row.planned_start);
    if (row.status === "done") {
      facts.push(`${t("label.actual")} ${bothTimes(row.actual_start, row.actual_end)}`);
    } else if (row.status === "live") {
      facts.push(`${t("label.started", { t: bothTimes(start) })}${shift ? ` (${shift})` : ""}`);
    } else if (shift) {
      facts.push(`${t("label.projected")} ${bothTimes(start)} (${shift})`);
    }
    const factsLine = el("div", "v-session-facts", facts.join(" · "));
    if (shift && row.status !== "done") {
      factsLine.dataset.late = shift.startsWith("+") ? "late" : "early";
    }
    body.append(factsLine);
    if (row.status === "live" && session.speakers.length) {
      const list = el("ol", "v-speakers");
      for (const speaker of session.speakers) {
        const run = state.speakers_run[speaker.id];
        const status =
          state.speaker?.id === speaker.id
            ? "live"
            : row.speakers[speaker.id] === "skipped"
              ? "skipped"
              : run?.ended_at
              ? "done"
              : state.next_speaker?.id === speaker.id
                ? "next"
                : "upcoming";
        const li = el("li", `v-speaker is-${status}`);
        li.append(el("span", "v-speaker-dot"));
        const who = el("span", "v-speaker-who");
        who.append(el("span", "v-speaker-name", personName(speaker)));
        if (speaker.affiliation) {
          who.append(el("span", "v-speaker-aff", localized(speaker, "affiliation")));
        }
        li.append(who);
        if (speaker.presence !== "in_room") {
          li.append(presenceChip(el("span"), speaker.presence));
        }
        list.append(li);
      }
      body.append(list);
    }
    item.append(body);
    return item;
  });
  const sessionRows = programme.sessions.map((s) => rows.find((r) => r.id === s.id));
  $("agenda").replaceChildren(...withDays(programme, sessionRows, items, "v-day"));
}

function renderZones() {
  const at = live.clock.now();
  const event = zoneName(programme.timezone, at);
  setText(
    $("zone-note"),
    !otherZone(programme.timezone, at)
      ? t("viewer.zone_same", { event })
      : t("viewer.zone_note", { event, local: zoneName(localZone, at) }),
  );
}

function renderEvent(p) {
  setText($("event-title"), localized(p, "title"));
  const sub = [localized(p, "venue"), localized(p, "subtitle")].filter(Boolean).join(" · ");
  setText($("event-sub"), sub);
  document.title = `${localized(p, "title")} · Podium`;
}

function render() {
  const state = view.state;
  if (!state || !programme) return;
  renderEvent(programme);
  announce(state);
  renderNow(state);
  renderAgenda(state, view.now());
  renderZones();
  setText($("delay-note"), view.note());
  firstShown();
  loadQuestions();
}

/** The questions' module and styles, asked for after the first paint: a viewer on a far,
 * slow link sees who is speaking a round trip sooner (docs/performance.md). */
function loadQuestions() {
  if (questions !== null) return;
  questions = { render() {}, programme() {} }; // until the module is in
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = new URL("../../css/questions.css", import.meta.url).href;
  document.head.append(link);
  const preload = document.createElement("link"); // what viewer-questions.js imports, at once
  preload.rel = "modulepreload";
  preload.href = new URL("../question-list.js", import.meta.url).href;
  document.head.append(preload);
  import("./viewer-questions.js").then(
    ({ viewerQuestions }) => {
      questions = viewerQuestions(live);
      questions.programme(programme);
    },
    () => {
      questions = null; // the server went away meanwhile: the next state tries again
    },
  );
}

function draw(now) {
  if (view.pick()) render(); // with a delay: another state came into force meanwhile
  const state = view.state;
  if (!state || !programme) return;
  if (state.session) {
    const left = timerLeft(state, now);
    const shown = timerCountdown(state, now);
    setText($("left"), shown.text);
    const box = $("left-box");
    const zone = state.timer.status === "paused" ? "paused" : shown.zone;
    if (box.dataset.zone !== zone) box.dataset.zone = zone;
    const used = 1 - Math.max(left, 0) / state.timer.duration_ms;
    $("progress").style.transform = `scaleX(${Math.min(Math.max(used, 0), 1)})`;
  }
  const second = Math.floor(now / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    const { drift } = scheduleAt(state, view.serverTime, now);
    const begun = dayBegun(state);
    show($("drift"), begun);
    if (begun) showDrift($("drift"), drift, state.phase === "finished");
    renderUpNext(state, now);
    if (second % 15 === 0) renderAgenda(state, now); // projected times move while running late
  }
}

/** The CC button: live captions under the page, on or off as this browser left them. */
function captions() {
  const box = new CaptionBox(live, $("cc-box"), { delayMs: () => view.ms, placeholder: true });
  const button = $("cc");
  const set = (on) => {
    button.setAttribute("aria-pressed", String(on));
    button.title = t(on ? "captions.on" : "captions.off");
    show($("cc-panel"), on);
    document.body.classList.toggle("cc-on", on);
  };
  let on = false;
  try {
    on = localStorage.getItem(CC_KEY) === "1";
  } catch {
    // storage off: captions start off
  }
  set(on);
  button.addEventListener("click", () => {
    on = !on;
    set(on);
    try {
      localStorage.setItem(CC_KEY, on ? "1" : "0");
    } catch {
      // storage off: the choice lasts as long as the page
    }
  });
  onLang(() => {
    set(on);
    box.render();
  });
}

translate();
langButton($("lang"));
statusCorner(live);
captions();
onLang(delaySetting($("delay"), view, render));
live.on("state", render);
onLang(render);
onLang(() => questions?.render());
followPlan(live, (p) => {
  programme = p;
  questions?.programme(p);
  renderEvent(p);
  render();
});
redrawn(live, draw, () => view.ms);
