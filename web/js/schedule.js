// The schedule projection: how late a session runs, and the schedule as of now from the
// state the server pushed (the engine's rule: tests/data/projection-cases.json).

import { timerLeft } from "./countdown.js";

/** How late a session of the schedule runs, by the one drift rule (``drift_ms`` in
 * docs/protocol.md): one live or done by its (projected) end against its planned end, one
 * still to come by its projected start. The day's drift is this of the live session (else
 * the next), so the console's pill and the live row say the same. */
export function rowLate(row) {
  if (row.status === "live" || row.status === "done") {
    return (row.actual_end ?? row.projected_end) - row.planned_end;
  }
  return row.projected_start - row.planned_start;
}

/**
 * The schedule as of ``now``. The server derived it at ``serverTime``; while a speaker
 * runs over, or the timer is paused, or nothing is live, the projected end of the day
 * moves with the clock, so shift what is still to come by exactly that much. The same
 * rule as the engine's projection: tests/data/projection-cases.json holds both to it.
 */
export function scheduleAt(state, serverTime, now) {
  const base = (at) => (state.session ? at + Math.max(timerLeft(state, at), 0) : at);
  const moved = base(now) - base(serverTime);
  let cursor = null;
  let drift = state.drift_ms;
  let driftSet = false;
  const rows = state.schedule.map((row) => {
    const copy = { ...row };
    if (row.status === "live") {
      copy.projected_end = row.projected_end + moved;
      cursor = copy.projected_end;
      drift = rowLate(copy);
      driftSet = true;
    } else if (row.status === "next" || row.status === "upcoming") {
      cursor ??= now;
      copy.projected_start = Math.max(row.planned_start, cursor);
      copy.projected_end = copy.projected_start + (row.planned_end - row.planned_start);
      cursor = copy.projected_end;
      if (!driftSet) {
        drift = rowLate(copy);
        driftSet = true;
      }
    }
    return copy;
  });
  return { rows, drift };
}
