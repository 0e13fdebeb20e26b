// The stream's delay on the viewer page: ``?delay=SECONDS`` (or the setting on the page,
// kept per page in localStorage) shows the day as it was SECONDS ago, so a remote viewer's
// countdown and "speaking now" match the delayed stream they watch. The page keeps the
// states it received with the moment each came into force (its ``last_change.at``) and
// shows the one in force SECONDS ago, its countdown computed for that moment: nothing is
// replayed or counted, every time still comes from the stored timestamps.

import "../labels-captions.js";
import { t } from "../i18n.js";
import { query } from "../connection.js";

export const CHOICES_S = [0, 10, 20, 30, 45, 60, 90, 120];
const MAX_S = 600; // a delay, not a replay: at most ten minutes
const KEY = `podium.delay.${location.pathname.split("/").pop() || "viewer"}`;

function saved() {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null; // storage off (private mode): the page starts live
  }
}

function seconds(text) {
  const n = Math.round(Number(text));
  return Number.isFinite(n) && n > 0 ? Math.min(n, MAX_S) : 0;
}

/** What a page shows: ``state`` and ``serverTime`` as in force ``ms`` ago, ``now()`` the
 * server's clock that long ago. With no delay, exactly the live state. */
export class Delayed {
  constructor(live) {
    this.live = live;
    this.ms = seconds(query.get("delay") ?? saved()) * 1000;
    this.kept = []; // {from, version, state, serverTime}, oldest first
    this.current = null; // the entry shown
    live.on("state", (state) => this.keep(state));
  }

  get seconds() {
    return this.ms / 1000;
  }

  /** A new delay from the page's setting, kept for this page. */
  set(secondsText) {
    this.ms = seconds(secondsText) * 1000;
    try {
      localStorage.setItem(KEY, String(this.seconds));
    } catch {
      // storage off: the setting lasts as long as the page
    }
  }

  keep(state) {
    const last = this.kept.at(-1);
    const entry = {
      // the first state the page has is taken as in force since ever: nothing older is known
      from: last ? (state.last_change?.at ?? this.live.serverTime) : -Infinity,
      version: this.live.version,
      state,
      serverTime: this.live.serverTime,
    };
    if (last && last.version === entry.version) this.kept[this.kept.length - 1] = entry;
    else this.kept.push(entry);
  }

  now() {
    return this.live.clock.now() - this.ms;
  }

  /** The entry in force ``ms`` ago; ``true`` when it is another than last time. Older
   * entries than the one in force ``MAX_S`` ago are let go. */
  pick() {
    const live = this.live.clock.now();
    const at = live - this.ms;
    const shown = this.kept.findLast((e) => e.from <= at) ?? this.kept[0] ?? null;
    const oldest = this.kept.findLastIndex((e) => e.from <= live - MAX_S * 1000);
    if (oldest > 0) this.kept.splice(0, oldest);
    const changed = shown !== this.current;
    this.current = shown;
    return changed;
  }

  get state() {
    return this.ms === 0 ? this.live.state : (this.current?.state ?? null);
  }

  get serverTime() {
    return this.ms === 0 ? this.live.serverTime : (this.current?.serverTime ?? null);
  }

  /** "Matched to the stream, 30 s behind", or "" when live. */
  note() {
    return this.ms === 0 ? "" : t("delay.matched", { n: this.seconds });
  }
}

/** The page's setting: a select of delays (and the one asked in the URL), kept per page. */
export function delaySetting(select, delayed, changed) {
  const render = () => {
    const choices = [...new Set([...CHOICES_S, delayed.seconds])].sort((a, b) => a - b);
    select.replaceChildren(
      ...choices.map((n) => new Option(n ? t("delay.seconds", { n }) : t("delay.none"), n)),
    );
    select.value = String(delayed.seconds);
  };
  render();
  select.addEventListener("change", () => {
    delayed.set(select.value);
    changed();
  });
  return render;
}
