// Changes, not states: the lean state a page holds, a delta applied to it, and the whole
// state the pages read, made from it with the programme the page holds (docs/protocol.md,
// "Deltas"; the server's side is server/podium/core/wire/delta.py).

import { scheduleAt } from "../schedule.js";

const PERSON_TEXTS = ["name", "honorific", "display_name", "affiliation", "name_zh",
  "honorific_zh", "display_name_zh", "affiliation_zh"];

function isObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** ``programme`` is an older revision of the plan than ``than`` (a late answer). */
export const older = (programme, than) => (programme?.revision ?? 0) < (than?.revision ?? 0);

function merge(held, patch) {
  const out = { ...held };
  for (const [key, value] of Object.entries(patch)) {
    out[key] = isObject(value) && isObject(out[key]) ? merge(out[key], value) : value;
  }
  return out;
}

/** ``held`` with a delta applied (``held`` itself is left as it was): ``patch`` merged
 * (an object into an object key by key, anything else replaces), then each path in
 * ``removed`` deleted. */
export function applyDelta(held, patch, removed = []) {
  const out = merge(held, patch);
  for (const path of removed) {
    let node = out;
    for (const key of path.slice(0, -1)) {
      node[key] = { ...node[key] };
      node = node[key];
    }
    delete node[path[path.length - 1]];
  }
  return out;
}

/** What a page holding ``held`` at ``version`` holds after ``message`` (a snapshot or a
 * delta): the new lean state; ``undefined`` for a version it holds already; ``null`` when
 * the delta does not follow it (one was missed: ask for a snapshot). */
export function follow(held, version, message) {
  if (message.type === "snapshot") return message.state;
  if (message.version <= version) return undefined;
  return message.base === version ? applyDelta(held, message.patch, message.removed) : null;
}

function person(held, known) {
  if (held === null) return null;
  const texts = known.get(held.id) ?? {};
  return { ...held, ...Object.fromEntries(PERSON_TEXTS.map((key) => [key, texts[key] ?? ""])) };
}

function liveSession(session, plan, serverTime) {
  if (session === null) return null;
  const moderators = plan?.moderators ?? [];
  return {
    ...session,
    title: plan?.title ?? "",
    group_title: plan?.group_title ?? null,
    moderators: moderators.map((m) => m.display_name),
    title_zh: plan?.title_zh ?? "",
    group_title_zh: plan?.group_title_zh ?? "",
    moderators_zh: moderators.map((m) => m.display_name_zh),
    remaining_ms: session.ends_at - serverTime,
  };
}

/** The schedule and the day's drift as the server derives them at ``serverTime``: the
 * live session's projected end from its timer and the speakers after it, the rest by the
 * one projection rule (``scheduleAt``). */
function project(state, rows, plan, serverTime) {
  let lastDrift = 0;
  for (const row of rows) {
    if (row.status === "done") {
      row.projected_start = row.actual_start;
      row.projected_end = row.actual_end;
      lastDrift = row.actual_end - row.planned_end;
    } else if (row.status === "live") {
      const after = state.speaker ? (plan?.speakers ?? []).slice(state.speaker.index + 1) : [];
      const left = Math.max(state.timer.remaining_ms, 0);
      row.projected_start = row.actual_start;
      row.projected_end = serverTime + left + after.reduce((sum, s) => sum + s.allocation_ms, 0);
    }
  }
  return scheduleAt({ ...state, schedule: rows, drift_ms: lastDrift }, serverTime, serverTime);
}

/** The whole state (``/api/state``'s, less the changes' English ``summary``) from the
 * lean one, the programme and the moment the server derived it: what every page reads. */
export function hydrate(held, programme, serverTime) {
  const sessions = programme?.sessions ?? [];
  const known = new Map(sessions.flatMap((s) => s.speakers.map((speaker) => [speaker.id, speaker])));
  const plan = held.session ? sessions.find((s) => s.id === held.session.id) : undefined;
  const timer = held.timer.remaining_ms === null
    ? { ...held.timer, remaining_ms: held.timer.ends_at - serverTime }
    : held.timer;
  const { screen, viewers } = held.messages;
  const signal = held.booth_signal; // held as sent: shown until its ``until``
  const state = {
    ...held,
    ...(signal === undefined ? {} : { booth_signal: signal && signal.until > serverTime ? signal : null }),
    session: liveSession(held.session, plan, serverTime),
    speaker: person(held.speaker, known),
    next_speaker: person(held.next_speaker, known),
    timer,
    message: screen && viewers ? (viewers.at > screen.at ? viewers : screen) : (screen ?? viewers),
  };
  const place = new Map(sessions.map((s, i) => [s.id, i]));
  const ids = Object.keys(held.schedule).sort(
    (a, b) => (place.get(a) ?? sessions.length) - (place.get(b) ?? sessions.length),
  );
  const rows = ids.map((id) => ({ id, ...held.schedule[id], projected_start: null, projected_end: null }));
  const { rows: schedule, drift } = project(state, rows, plan, serverTime);
  return { ...state, schedule, drift_ms: drift };
}
