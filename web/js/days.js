// Days and breaks on the pages: "Day 2 · Thursday 27 April" above each day's sessions and
// for the session on now (only when the programme runs over several days), and a break's
// words: "Lunch — we resume at 14:00" on the venue screen, "Break until 14:00" for viewers.

import { lang, t } from "./i18n.js";
import "./labels-days.js"; // before any of its labels is read
import { el, localized, timeOfDay } from "./podium.js";

const dates = new Map();

function sessionOf(programme, id) {
  return programme?.sessions.find((s) => s.id === id) ?? null;
}

/** Is the session ``id`` a break (coffee, lunch, registration)? */
export function isBreak(programme, id) {
  return sessionOf(programme, id)?.kind === "break";
}

/** "Day 2 · Thursday 27 April" for a row of the state's schedule (its planned start is on
 * the day the plan puts it, rehearsals included); "" when the programme has one day. */
export function dayTitle(programme, row) {
  const session = sessionOf(programme, row?.id);
  if (!session || new Set(programme.sessions.map((s) => s.day)).size < 2) return "";
  const key = `${programme.timezone}|${lang}`;
  if (!dates.has(key)) {
    const options = { timeZone: programme.timezone, weekday: "long", day: "numeric", month: "long" };
    dates.set(key, new Intl.DateTimeFormat(lang === "zh-CN" ? "zh-CN" : "en-GB", options));
  }
  return t("day.title", { n: session.day, date: dates.get(key).format(row.planned_start) });
}

/** The day of what is on now, else of what comes next; "" on a one-day programme. */
export function currentDay(programme, state) {
  const id = state.session?.id ?? state.schedule.find((r) => r.status === "next")?.id;
  return dayTitle(programme, state.schedule.find((r) => r.id === id));
}

/** ``items`` (one per schedule row, in order) with a heading (``li.className``) before the
 * first session of each day. */
export function withDays(programme, rows, items, className) {
  const out = [];
  let last = "";
  rows.forEach((row, i) => {
    const title = dayTitle(programme, row);
    if (title && title !== last) out.push(el("li", className, title));
    last = title || last;
    out.push(items[i]);
  });
  return out;
}

/** The break on now in the venue screen's words ("Lunch — we resume at 14:00"), or "". */
export function breakResume(programme, state) {
  const session = state.session;
  if (!session || !isBreak(programme, session.id)) return "";
  const at = timeOfDay(session.ends_at, programme.timezone, { lang });
  return t("break.resume", { title: localized(session, "title"), t: at });
}

/** The break on now in the viewer's words ("Break until 14:00"), or "". */
export function breakUntil(programme, state) {
  const session = state.session;
  if (!session || !isBreak(programme, session.id)) return "";
  return t("break.until", { t: timeOfDay(session.ends_at, programme.timezone, { lang }) });
}
