// The interpreters' booth (/booth?room=ID#token=…, a laptop in a dark booth): who is on the
// floor, in which language, and for how long; who comes next and in which language (a
// change of language is announced before it happens); recorded items with their script;
// each speaker's materials one click away; a handover timer for this booth (?booth=NAME
// names it; its start is a timestamp kept in this browser); and three signals to the stage.

import { lang, langButton, onLang, t, translate } from "../i18n.js";
import "./labels-booth.js"; // before any label is read
import { Live, query, roomId, takeToken } from "../connection.js";
import { followPlan } from "../live/plan.js";
import { mmss, timerCountdown, timerLeft } from "../countdown.js";
import { durationText, el, redrawn, localized, personName, setText, show, statusCorner,
  store, stored, timeOfDay } from "../podium.js"; // prettier-ignore
import { scheduleAt } from "../schedule.js";
import { signalWords } from "../booth-signal.js";
import { ScriptView } from "../script/script-view.js";
import { signIn } from "../sign-in.js";

const $ = (id) => document.getElementById(id);
const NEXT_SHOWN = 6;
let token = takeToken();
const live = new Live({ client: "booth", token });
const scripts = new ScriptView(() => token);
const booth = (query.get("booth") ?? "").slice(0, 40);
const HANDOVER_KEY = `podium.booth.handover.${roomId ?? ""}.${booth}`;
let programme = null;
let listed = ""; // what the list of next speakers shows, to redraw it only when it changes
let sendError = ""; // why the last signal was not sent, until the next one is

/** A language as people say it in the page's language: "Chinese (ZH)", "中文 (ZH)". */
function languageName(code) {
  try {
    const names = new Intl.DisplayNames([lang], { type: "language" });
    return `${names.of(code)} (${code.toUpperCase()})`;
  } catch {
    return code.toUpperCase();
  }
}

function badge(code) {
  const chip = el("span", "bt-lang-badge", code.toUpperCase());
  chip.title = languageName(code);
  chip.dataset.lang = code;
  return chip;
}

/** A speaker's extras: recorded, their script, their materials (each one click away). */
function extras(speaker) {
  const parts = [];
  if (speaker.presence === "recorded") parts.push(el("span", "chip bt-recorded", t("booth.recorded")));
  if (speaker.has_script) {
    const open = el("button", "btn btn-small bt-script", t("script.open"));
    open.type = "button";
    open.addEventListener("click", () => scripts.open(speaker.id, personName(speaker)));
    parts.push(open);
  }
  for (const item of speaker.materials ?? []) {
    const link = el("a", "bt-material", item.title);
    Object.assign(link, { href: item.url, target: "_blank", rel: "noopener noreferrer" });
    parts.push(link);
  }
  return parts;
}

function find(speakerId) {
  for (const session of programme.sessions) {
    const speaker = session.speakers.find((s) => s.id === speakerId);
    if (speaker) return speaker;
  }
  return null;
}

/** The speakers still to come, in order, with their estimated start (``at``). */
function upcoming(state, now) {
  const { rows } = scheduleAt(state, live.serverTime, now);
  const found = [];
  for (const session of programme.sessions) {
    const row = rows.find((r) => r.id === session.id);
    if (!row || row.status === "done" || row.status === "skipped") continue;
    let at = row.status === "live" ? now : row.projected_start;
    for (const speaker of session.speakers) {
      const status = row.speakers[speaker.id];
      if (status === "live") at = now + Math.max(timerLeft(state, now), 0);
      if (status !== "upcoming") continue;
      found.push({ session, speaker, at });
      at += speaker.allocation_ms;
    }
  }
  return found;
}

function renderNext(state, now) {
  const next = upcoming(state, now).slice(0, NEXT_SHOWN);
  const key = [lang, ...next.map((n) => `${n.speaker.id}@${Math.round(n.at / 60_000)}`)].join("|");
  show($("next-empty"), next.length === 0);
  const floor = state.speaker?.language ?? null;
  const first = next[0]?.speaker;
  const changes = first && floor && first.language !== floor;
  show($("change"), Boolean(first && (changes || !floor)));
  if (first) {
    const words = { to: languageName(first.language), name: personName(first) };
    setText($("change"), changes ? t("booth.change", { ...words, from: languageName(floor) })
      : t("booth.opens", words)); // prettier-ignore
  }
  document.body.dataset.change = changes ? first.language : "";
  if (key === listed) return;
  listed = key;
  let before = floor;
  $("next-list").replaceChildren(
    ...next.map(({ session, speaker, at }) => {
      const item = el("li", "bt-item");
      item.dataset.speaker = speaker.id;
      const switches = before !== null && speaker.language !== before;
      item.classList.toggle("is-switch", switches);
      before = speaker.language;
      const name = el("div", "bt-item-name", personName(speaker));
      if (switches) name.append(el("span", "bt-switch", t("booth.switch", { to: speaker.language.toUpperCase() })));
      const who = el("div", "bt-who");
      who.append(name,
        el("div", "bt-aff one-line", `${durationText(speaker.allocation_ms)} · ${localized(session, "title")}`));
      const when = el("span", "bt-when num", t("booth.at", { t: timeOfDay(at, programme.timezone, { lang }) }));
      const more = el("div", "bt-extras");
      more.append(...extras(speaker));
      item.append(badge(speaker.language), who, when, more);
      return item;
    }),
  );
}

function renderNow() {
  const state = live.state;
  if (!state || !programme) return;
  document.body.dataset.phase = state.phase;
  const speaker = state.speaker ? find(state.speaker.id) : null;
  const language = speaker?.language ?? null;
  setText($("now-lang"), language ? language.toUpperCase() : "–");
  $("now-lang").title = language ? languageName(language) : "";
  $("now-lang").dataset.lang = language ?? "";
  setText($("now-name"), speaker ? personName(speaker)
    : state.session ? localized(state.session, "title") : t("booth.nobody")); // prettier-ignore
  setText($("now-aff"), speaker ? `${languageName(language)} · ${localized(speaker, "affiliation")}` : "");
  $("now-extras").replaceChildren(...(speaker ? extras(speaker) : []));
  listed = "";
  draw(live.clock.now());
}

function drawSignal(state, now) {
  const signal = state.booth_signal;
  const left = signal ? Math.ceil((signal.until - now) / 1000) : 0;
  const words = signal ? signalWords(signal.signal, signal.language) : "";
  setText($("signal-state"), left > 0 ? t("booth.signal.sent", { words, s: left }) : sendError);
  for (const button of document.querySelectorAll("[data-signal]")) {
    button.classList.toggle("is-on", left > 0 && button.dataset.signal === signal.signal);
  }
}

function drawHandover(now) {
  const every = programme.interpretation?.handover_ms ?? 30 * 60_000;
  const words = { every: durationText(every), booth };
  setText($("handover-label"), t(booth ? "booth.handover.named" : "booth.handover", words));
  const since = Number(stored(HANDOVER_KEY)) || null;
  const left = since === null ? null : since + every - now;
  $("handover-time").dataset.due = left !== null && left <= 0 ? "due" : "";
  setText($("handover-time"), left === null ? t("booth.handover.unset")
    : left > 0 ? t("booth.handover.left", { t: mmss(Math.ceil(left / 1000)) })
      : t("booth.handover.due", { t: mmss(Math.floor(-left / 1000)) })); // prettier-ignore
}

function draw(now) {
  const state = live.state;
  if (!state || !programme) return;
  setText($("clock"), timeOfDay(now, programme.timezone, { seconds: true, lang }));
  const shown = state.session ? timerCountdown(state, now) : { text: "--:--", zone: "normal" };
  setText($("now-left"), shown.text);
  $("now-left").dataset.zone = state.timer.status === "paused" ? "paused" : shown.zone;
  renderNext(state, now);
  drawSignal(state, now);
  drawHandover(now);
}

async function send(signal) {
  try {
    await live.request({ type: "booth_signal", signal });
    sendError = "";
  } catch (error) {
    sendError = t("booth.signal.failed", { message: error.message });
  }
  draw(live.clock.now());
}

const showPage = signIn(live, ["interpreter", "moderator"], {
  given: (typed) => {
    token = typed;
  },
});
for (const button of document.querySelectorAll("[data-signal]")) {
  button.addEventListener("click", () => send(button.dataset.signal));
}
$("handover").addEventListener("click", () => {
  store(HANDOVER_KEY, String(Math.round(live.clock.now())));
  draw(live.clock.now());
});

translate();
langButton($("lang"));
statusCorner(live);
showPage(Boolean(token));
live.on("state", renderNow);
onLang(renderNow);
const showEventTitle = () => setText($("event-title"), localized(programme, "title"));
onLang(showEventTitle);
followPlan(live, (p) => {
  programme = p; // and each plan after it: the upcoming speakers as the plan now has them
  showEventTitle();
  renderNow();
});
redrawn(live, draw);
