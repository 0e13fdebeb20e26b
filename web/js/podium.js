// The pages' shared helpers: the status corner, a draw per frame, text in the page's
// language, times of day and lengths as people say them, small DOM helpers. The connection
// is in connection.js, the clock sync in clock.js, the countdown in countdown.js, the
// schedule projection in schedule.js. Pages render from ``live.state`` and
// ``live.clock.now()``; nothing here counts ticks.

import { lang, t, onLang } from "./i18n.js";

/** The small corner every page has: connection, clock offset and round trip (while live;
 * while reconnecting it says only that, in plain words). */
export function statusCorner(live) {
  const box = document.createElement("div");
  box.id = "podium-status";
  box.className = "podium-status";
  box.setAttribute("role", "status");
  const dot = document.createElement("span");
  dot.className = "podium-status-dot";
  const text = document.createElement("span");
  box.append(dot, text);
  // first in the page: on a phone, the reconnecting banner takes its own room at the top
  // instead of covering the content (see podium.css)
  document.body.prepend(box);
  const render = () => {
    const { offset, rtt } = live.clock;
    box.dataset.state = live.status;
    box.dataset.offset = offset === null ? "" : offset.toFixed(1);
    box.dataset.rtt = rtt === null ? "" : rtt.toFixed(1);
    box.dataset.version = String(live.version);
    box.title = t("status.title");
    const parts = [t(`status.${live.status}`)];
    if (rtt !== null && live.status === "live") {
      const ms = Math.round(offset);
      parts.push(t("status.offset", { offset: `${ms < 0 ? "−" : "+"}${Math.abs(ms)}` }));
      parts.push(t("status.rtt", { rtt: Math.round(rtt) }));
    }
    text.textContent = parts.join(" · ");
  };
  live.on("status", render).on("state", render);
  onLang(render);
  render();
  return box;
}

const TICK_MS = 250; // the longest a page waits between draws: clocks of day, ages, the booth's timer

/** Call ``draw(time)`` with the server's time (less ``lag()``, for a page kept behind a
 * stream) whenever what a page shows may have changed: on the next animation frame after a
 * state arrives, the clock's offset is measured again or the window is resized; just past
 * each second on which the running timer, the session or the clock of day flips (so every
 * page flips with the venue screen); every ``TICK_MS`` between; and at once when the tab
 * comes back from the background. Drawing on every animation frame instead cost a page
 * 5-7 % of a core, a venue PC's all day and an OBS browser source's. */
export function redrawn(live, draw, lag = () => 0) {
  let timer = 0;
  let asked = false;
  const frame = () => {
    asked = false;
    const time = live.clock.now() - lag();
    draw(time);
    clearTimeout(timer);
    timer = setTimeout(soon, untilFlip(live.state, time));
  };
  const soon = () => {
    if (!asked) {
      asked = true;
      requestAnimationFrame(frame);
    }
  };
  live.on("state", soon).on("status", soon); // a status: a new clock offset, among others
  window.addEventListener("resize", soon); // a venue screen's text refits to its new size
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") frame();
  });
  soon();
}

/** Milliseconds from ``time`` to just past the next second on which a countdown shown from
 * ``state`` flips (the timer's, the session's, the clock of day's), at most ``TICK_MS``. */
function untilFlip(state, time) {
  let wait = TICK_MS;
  for (const phase of [0, state?.timer?.ends_at, state?.session?.ends_at]) {
    if (typeof phase === "number") {
      const left = (((phase - time) % 1000) + 1000) % 1000 || 1000;
      wait = Math.min(wait, left + 1);
    }
  }
  return wait;
}

/** ``obj[key]`` in the page's language: its Chinese version ``obj[key + "_zh"]`` when the
 * page is in Chinese and the programme has one, else the text itself. */
export function localized(obj, key, language = lang) {
  const zh = language.startsWith("zh") ? obj?.[`${key}_zh`] : "";
  return zh || obj?.[key] || "";
}

/** A person from the programme as the server's ``display_name`` (``_zh``) writes them. */
export function personName(person) {
  return `${localized(person, "honorific")} ${localized(person, "name")}`.trim();
}

/** A value this browser keeps (``localStorage``); null where storage is off. */
export function stored(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

/** Keep ``value`` in this browser; where storage is off it lasts for this page only. */
export function store(key, value) {
  try {
    localStorage.setItem(key, value);
  } catch {
    // not kept: the page goes on with what it has
  }
}

/** Set text only when it changed: cheap enough for every frame. */
export function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

export function show(el, visible) {
  el.hidden = !visible;
}

/** Once, when the page first shows the live state: ``data-shown`` on ``<html>``, and the
 * performance mark ``podium-shown`` in the frame that paints it (tests and
 * tests/measure_page_load.py read them). */
export function firstShown() {
  const root = document.documentElement;
  if (root.dataset.shown) return;
  root.dataset.shown = "state";
  requestAnimationFrame(() => performance.mark("podium-shown"));
}

const formats = new Map();

/** ``HH:MM`` (or ``HH:MM:SS``) of an epoch-ms moment in ``zone`` (default: the browser's). */
export function timeOfDay(epochMs, zone, { seconds = false, lang = "en" } = {}) {
  const key = `${zone}|${seconds}|${lang}`;
  if (!formats.has(key)) {
    formats.set(
      key,
      new Intl.DateTimeFormat(lang === "zh-CN" ? "zh-CN" : "en-GB", {
        hour: "2-digit",
        minute: "2-digit",
        second: seconds ? "2-digit" : undefined,
        hourCycle: "h23",
        timeZone: zone,
      }),
    );
  }
  return formats.get(key).format(new Date(epochMs));
}

/** The short name of a time zone as people know it ("GMT+8", "CET"). */
export function zoneName(zone, epochMs = Date.now()) {
  const parts = new Intl.DateTimeFormat("en-GB", { timeZone: zone, timeZoneName: "short" })
    .formatToParts(new Date(epochMs));
  return parts.find((p) => p.type === "timeZoneName")?.value ?? zone;
}

export const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** A length of time as people say it: "8 min 20 s", "10 min", "45 s". */
export function durationText(ms) {
  const total = Math.round(ms / 1000);
  const m = Math.floor(total / 60);
  const s = total % 60;
  if (!m) return t("dur.s", { s });
  return s ? t("dur.ms", { m, s }) : t("dur.m", { m });
}

/** A shift in whole minutes, signed: "+12 min", "−3 min", or "" under half a minute. */
export function shiftText(ms) {
  const m = Math.round(ms / 60_000);
  return m === 0 ? "" : t("dur.shift", { sign: m > 0 ? "+" : "−", m: hoursMinutes(Math.abs(m)) });
}

/** Whole minutes as people say them: "7 min", "10 h 7 min", "2 h". */
export function hoursMinutes(minutes) {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (!h) return t("dur.m", { m });
  return m ? t("dur.hm", { h, m }) : t("dur.h", { h });
}

/** An element with a class and text (``textContent``: programme text is never markup). */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Dress ``node`` as the chip saying whether a speaker is in the room, remote or recorded. */
export function presenceChip(node, presence) {
  node.className = `chip chip-${presence}`;
  node.textContent = t(`presence.${presence}`);
  return node;
}

/** The "running N min late" pill: its text, and its sign for the colour; once the
 * programme has ``finished``, how late it ended ("Ended 12 min late"). */
export function showDrift(node, driftMs, finished = false) {
  setText(node, driftText(driftMs, finished));
  node.dataset.sign = String(Math.sign(Math.round(driftMs / 60_000)));
}

function driftText(driftMs, finished) {
  const minutes = Math.round(driftMs / 60_000);
  const key = finished ? "drift.ended" : "drift";
  if (minutes === 0) return t(`${key}.on_time`);
  const n = hoursMinutes(Math.abs(minutes));
  return t(`${key}.${minutes > 0 ? "late" : "early"}`, { n });
}
