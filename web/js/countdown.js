// The countdown helpers: the time left on the speaker's timer and how the pages show it,
// by the one rule of docs/integrations.md ("The countdown"; tests/data/countdown-cases.json).

/** Milliseconds left on the speaker's timer at ``now`` (negative once over time). Never
 * more than the timer's duration: a clock offset a few ms behind the server would
 * otherwise show a fresh 4 s turn as 00:05 for its first frames. */
export function timerLeft(state, now) {
  const timer = state?.timer;
  if (!timer) return null;
  if (timer.status !== "running") return timer.remaining_ms;
  return Math.min(timer.ends_at - now, timer.duration_ms);
}

function pad(n) {
  return String(n).padStart(2, "0");
}

/** Whole seconds as ``mm:ss`` (``h:mm:ss`` from an hour). */
export function mmss(totalSeconds) {
  const s = Math.abs(totalSeconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h}:${pad(m)}:${pad(s % 60)}` : `${pad(m)}:${pad(s % 60)}`;
}

/** A countdown as people read it: ``04:59`` while time is left (rounded up, so a full
 * five minutes shows ``05:00``), ``00:00`` for the first second at zero, then ``+00:01``…
 * ``zone`` is "normal", "amber" (at or under ``amberMs``), "danger" (at or under
 * ``dangerMs``), "zero" or "over". */
export function countdown(leftMs, amberMs = 120_000, dangerMs = 0) {
  if (leftMs > 0) {
    const seconds = Math.ceil(leftMs / 1000);
    const zone = seconds * 1000 <= dangerMs ? "danger" : seconds * 1000 <= amberMs ? "amber" : "normal";
    return { text: mmss(seconds), seconds, zone };
  }
  const over = Math.floor(-leftMs / 1000);
  return over === 0
    ? { text: mmss(0), seconds: 0, zone: "zero" }
    : { text: `+${mmss(over)}`, seconds: -over, zone: "over" };
}

/** The speaker's countdown at ``now``, coloured by the programme's thresholds for whoever
 * holds the timer (``warning_ms``, ``danger_ms``); ``amberMs`` overrides the warning. */
export function timerCountdown(state, now, amberMs = null) {
  const { warning_ms: warning = 120_000, danger_ms: danger = 0 } = state.timer;
  return countdown(timerLeft(state, now), amberMs ?? warning, danger);
}
