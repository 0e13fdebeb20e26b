// The shared client: one WebSocket to the server, a clock synced to the server's, the
// latest state (every snapshot replaces it), reconnection forever, and a status corner.
// Pages render from `live.state` and `live.clock.now()`; nothing here counts ticks.

import { lang, t, onLang } from "./i18n.js";

export const query = new URLSearchParams(location.search);
export const roomId = query.get("room");

/** A same-origin URL for ``path`` that names this page's room, if it names one. */
export function apiUrl(path) {
  const url = new URL(path, location.origin);
  if (roomId) url.searchParams.set("room", roomId);
  return url;
}

/** The page's own clock in epoch ms: monotonic (never jumps when the system clock does). */
const localNow = () => performance.timeOrigin + performance.now();

const SYNC_PINGS = 5; // pings per sync round
const SYNC_GAP_MS = 120; // between the pings of a round
const SYNC_EVERY_MS = 60_000;
const SAMPLES_KEPT = 15; // the last three rounds
const BEST_SAMPLES = 3; // offsets averaged: those with the lowest round trips

/** NTP-style offset between the server's clock and ours, from ping/pong round trips. */
export class Clock {
  constructor() {
    this.samples = [];
    this.offset = null; // server − client, ms
    this.rtt = null;
  }

  /** The server's time now, in epoch ms. */
  now() {
    return localNow() + (this.offset ?? 0);
  }

  /** Before any round trip: take a pushed ``server_time`` as a first rough offset. */
  rough(serverTime) {
    if (this.offset === null) this.offset = serverTime - localNow();
  }

  stamp() {
    return localNow();
  }

  /** One pong: the server read its clock about half a round trip before we got it. */
  sample(t0, serverTime) {
    const t1 = localNow();
    const rtt = t1 - t0;
    if (!(rtt >= 0) || rtt > 30_000) return;
    this.samples.push({ rtt, offset: serverTime + rtt / 2 - t1 });
    this.samples = this.samples.slice(-SAMPLES_KEPT);
    const best = [...this.samples].sort((a, b) => a.rtt - b.rtt).slice(0, BEST_SAMPLES);
    this.offset = best.reduce((sum, s) => sum + s.offset, 0) / best.length;
    this.rtt = best[0].rtt;
  }
}

const TOKEN_KEY = `podium.token.${roomId ?? ""}`;

/** sessionStorage, or a stand-in where it is off (some sandboxed browser sources). */
const tabStore = (() => {
  try {
    sessionStorage.getItem(TOKEN_KEY);
    return sessionStorage;
  } catch {
    const kept = new Map();
    return {
      getItem: (key) => kept.get(key) ?? null,
      setItem: (key, value) => kept.set(key, value),
      removeItem: (key) => kept.delete(key),
    };
  }
})();

/** A token from the URL fragment (``#token=…``), kept in this tab and then hidden from the
 * address bar so it does not end up in screenshots or shared links. */
export function takeToken() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const given = fragment.get("token");
  if (given) {
    tabStore.setItem(TOKEN_KEY, given);
    history.replaceState(null, "", location.pathname + location.search);
  }
  return tabStore.getItem(TOKEN_KEY);
}

/** Headers for the read API: the tab's token, which a private event requires. */
export function readHeaders() {
  const token = tabStore.getItem(TOKEN_KEY);
  return token ? { Authorization: `Bearer ${token}` } : {};
}

let tokenKept = () => {};

export function keepToken(token) {
  if (token) tabStore.setItem(TOKEN_KEY, token);
  else tabStore.removeItem(TOKEN_KEY);
  if (token) tokenKept();
}

const BACKOFF_FIRST_MS = 250; // a restarted server is back within a second: try soon
const BACKOFF_MAX_MS = 2_000; // cheap to try: a refused connection costs the server nothing
const COMMAND_TIMEOUT_MS = 10_000;

/** A random command id (crypto.randomUUID needs a secure context; this does not). */
export function commandId() {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `web-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** A connection that never gives up: exponential backoff with full jitter between tries. */
export class Live {
  /** ``first``: also ask for the programme and the state over HTTP at once (``firstData``). */
  constructor({ client, token = null, first = false }) {
    this.client = client;
    this.token = token;
    this.clock = new Clock();
    this.state = null;
    this.version = -1;
    this.serverTime = null;
    this.role = null;
    this.status = "connecting";
    this.attempt = 0;
    this.pending = new Map();
    this.nextId = 1;
    this.listeners = { state: [], status: [], auth: [], error: [], readiness: [], questions: [] };
    this.speakerId = null; // for a speaker's link: whose (from auth_ok)
    this.ws = null;
    this.syncTimer = null;
    if (first) {
      // the socket after the answer, naming its version: the server then confirms it
      // (``current``) instead of sending the same state again
      firstData().then((data) => {
        if (data && this.state === null) this.receive({ type: "snapshot", ...data.state });
        this.open();
      });
    } else {
      this.open();
    }
    setInterval(() => this.sync(), SYNC_EVERY_MS);
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this.sync();
    });
    addEventListener("online", () => this.retryNow());
  }

  on(kind, fn) {
    this.listeners[kind].push(fn);
    return this;
  }

  emit(kind, ...args) {
    for (const fn of this.listeners[kind]) fn(...args);
  }

  setStatus(status) {
    this.status = status;
    this.emit("status", status);
  }

  open() {
    const url = apiUrl("/ws");
    url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
    url.searchParams.set("client", this.client);
    if (this.version >= 0) url.searchParams.set("have", String(this.version));
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.addEventListener("open", () => {
      this.attempt = 0;
      if (this.token) this.send({ type: "auth", token: this.token });
      this.setStatus("live");
      this.sync();
    });
    ws.addEventListener("message", (event) => this.receive(JSON.parse(event.data)));
    ws.addEventListener("close", () => this.closed(ws));
  }

  closed(ws) {
    if (ws !== this.ws) return;
    this.ws = null;
    for (const [id, waiting] of this.pending) {
      waiting.reject({ code: "disconnected", message: "the connection dropped" });
      this.pending.delete(id);
    }
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** this.attempt);
    const delay = ceiling / 2 + (Math.random() * ceiling) / 2;
    this.attempt += 1;
    this.retryTimer = setTimeout(() => this.open(), delay);
    this.setStatus("reconnecting");
  }

  retryNow() {
    if (this.ws !== null) return;
    clearTimeout(this.retryTimer);
    this.open();
  }

  /** Authenticate (again) with ``token``; the answer comes as an ``auth`` event. */
  authenticate(token) {
    this.token = token;
    if (this.ws?.readyState === WebSocket.OPEN) this.send({ type: "auth", token });
  }

  send(message) {
    if (this.ws?.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(message));
    return true;
  }

  /** A round of pings; each pong refines the offset. */
  sync() {
    for (let i = 0; i < SYNC_PINGS; i += 1) {
      setTimeout(() => {
        // the round trip so far goes along: a speaker's link reports it to the moderators
        const rtt = this.clock.rtt === null ? {} : { rtt_ms: this.clock.rtt };
        this.send({ type: "ping", t0: this.clock.stamp(), ...rtt });
      }, i * SYNC_GAP_MS);
    }
  }

  receive(message) {
    switch (message.type) {
      case "snapshot":
      case "state":
        if (message.type === "state" && message.version < this.version) return;
        this.version = message.version;
        this.serverTime = message.server_time;
        this.state = message.state;
        // a pushed change is stamped as it leaves; a snapshot is shared by every client
        // that joins within a second, so its stamp may be that old: no offset from it
        if (message.type === "state") this.clock.rough(message.server_time);
        this.emit("state", message.state, message.type);
        return;
      case "current": // on connect: the state we named (``have``) is still the room's
        return;
      case "pong":
        this.clock.sample(message.t0, message.server_time);
        this.emit("status", this.status);
        return;
      case "readiness": // moderators: every speaker's; a speaker: their own
        this.emit("readiness", message.speakers);
        return;
      case "questions": // what changed: all for moderators, the public list for others
        this.emit("questions", message);
        return;
      case "auth_ok":
        this.role = message.role;
        this.speakerId = message.speaker_id ?? null;
        this.emit("auth", message.role);
        return;
      case "ack":
      case "error": {
        const waiting = this.pending.get(message.id);
        if (waiting) {
          this.pending.delete(message.id);
          clearTimeout(waiting.timer);
          if (message.type === "ack") waiting.resolve(message);
          else waiting.reject(message);
        } else if (message.type === "error") {
          this.emit("error", message);
        }
        return;
      }
      default:
    }
  }

  /** Send one command naming the version we are looking at; resolves with the ack,
   * rejects with ``{code, message}`` (``conflict`` when someone acted first). */
  command(command, expectedVersion = this.version) {
    // a command keeps its command_id when sent again: the server applies it at most once
    const body = { command_id: commandId(), ...command, expected_version: expectedVersion };
    return this.request({ type: "command", command: body });
  }

  /** Send a message the server answers with ``ack`` or ``error`` (a command, an ``ask``). */
  request(message) {
    const id = `c${this.nextId++}`;
    return new Promise((resolve, reject) => {
      if (!this.send({ ...message, id })) {
        reject({ code: "disconnected", message: "not connected" });
        return;
      }
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject({ code: "timeout", message: "no answer from the server" });
      }, COMMAND_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
    });
  }
}

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

/** Call ``draw(now)`` with the server's time on every animation frame, and at once when
 * the tab comes back from the background (browsers stop frames in hidden tabs). */
export function everyFrame(live, draw) {
  const frame = () => {
    draw(live.clock.now());
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") draw(live.clock.now());
  });
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

/** A private event and no (or a wrong) token in this tab: say so (unless the page has
 * its own sign-in, like the console), and resolve once a token is kept. */
function locked() {
  const note = document.createElement("p");
  note.className = "podium-locked";
  note.setAttribute("role", "alert");
  const render = () => {
    note.textContent = t("page.private");
  };
  render();
  onLang(render);
  if (!document.getElementById("login")) document.body.append(note);
  return new Promise((resolve) => {
    tokenKept = () => {
      note.remove();
      resolve();
    };
  });
}

/** The event's own look (``branding`` in /api/programme, docs/pages.md): its colours as
 * the custom properties the stylesheets read (``--brand-primary``, ``--brand-accent``, and
 * ``--accent`` for buttons and highlights), its logo in every ``img.brand-logo``. Without
 * branding a page keeps Podium's own look. */
export function applyBranding(programme) {
  const look = programme?.branding;
  if (!look) return;
  const root = document.documentElement;
  root.style.setProperty("--brand-primary", look.primary);
  root.style.setProperty("--brand-accent", look.accent);
  root.style.setProperty("--accent", look.accent);
  root.dataset.branded = "";
  for (const img of document.querySelectorAll("img.brand-logo")) {
    img.src = look.logo;
    img.hidden = false;
  }
}

let firstAnswer = null;

/** ``GET /api/first``, asked once: the programme and the state in one answer. The page
 * announces it (a ``Link`` preload, ``FIRST_PAGES`` in live/http/assets.py), so on a far link
 * it comes with the modules, a round trip before the socket's first frame. ``null`` when
 * it failed (a private event without a token, the network): the usual ways follow. */
export function firstData() {
  firstAnswer ??= fetch(apiUrl("/api/first"), { headers: readHeaders() })
    .then((response) => (response.ok ? response.json() : null))
    .catch(() => null);
  return firstAnswer;
}

/** The programme (titles, speakers, the event's time zone, its look, applied); retried
 * until the server answers, since a page may open while the server is restarting. From
 * ``firstData`` when the page asked for it (its ``Live`` made with ``first: true``). */
export async function loadProgramme() {
  const asked = firstAnswer;
  firstAnswer = null; // once: a later call asks the server afresh
  const first = asked && (await asked);
  if (first) {
    applyBranding(first.programme);
    return first.programme;
  }
  for (let attempt = 0; ; attempt += 1) {
    try {
      const response = await fetch(apiUrl("/api/programme"), { headers: readHeaders() });
      if (response.ok) {
        const programme = await response.json();
        applyBranding(programme);
        return programme;
      }
      if (response.status === 401) {
        await locked();
        continue;
      }
      if (response.status < 500) throw new Error((await response.json()).error.message);
    } catch (error) {
      if (!(error instanceof TypeError)) throw error; // TypeError: the network failed
    }
    const wait = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** attempt);
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

// -- time -----------------------------------------------------------------------------

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

/** "Running N min late" / "On time" / "N min ahead", from a drift in ms. */
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
