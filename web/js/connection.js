// The connection to the server: one WebSocket, the latest state (a snapshot, then each
// change as a delta applied to it), reconnection forever, commands and their answers; the
// tab's token; the first data and the programme over HTTP, and the event's look applied.

import { t, onLang } from "./i18n.js";
import { Clock } from "./clock.js";
import { follow, hydrate, older } from "./live/delta.js";

export const query = new URLSearchParams(location.search);
export const roomId = query.get("room");

/** A same-origin URL for ``path`` that names this page's room, if it names one. */
export function apiUrl(path) {
  const url = new URL(path, location.origin);
  if (roomId) url.searchParams.set("room", roomId);
  return url;
}

const SYNC_PINGS = 5; // pings per sync round
const SYNC_GAP_MS = 120; // between the pings of a round
const SYNC_EVERY_MS = 60_000;

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
const EVENTS = ["state", "status", "auth", "error", "readiness", "questions", "caption",
  "programme"];

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
    this.state = null; // the whole state the pages read (``hydrate``)
    this.held = null; // the lean state the deltas apply to
    this.programme = null; // the programme the texts come from (``loadProgramme``)
    this.waiting = []; // messages that came before the programme
    this.version = -1;
    this.serverTime = null;
    this.role = null;
    this.status = "connecting";
    this.attempt = 0;
    this.pending = new Map();
    this.nextId = 1;
    this.listeners = Object.fromEntries(EVENTS.map((kind) => [kind, []]));
    this.speakerId = null; // for a speaker's link: whose (from auth_ok)
    this.ws = null;
    this.syncTimer = null;
    if (first) {
      // the socket after the answer, naming its version: the server then confirms it
      // (``current``) instead of sending the same state again
      firstData().then((data) => {
        if (data) this.programme ??= data.programme;
        // the lean state as the server holds it (a booth signal the whole state no longer
        // shows is still in it, and a delta may change part of it)
        const first = data?.held && { ...data.state, type: "snapshot", state: data.held };
        if (first && this.held === null) this.receive(first);
        this.open();
      });
    } else {
      this.open();
    }
    loadProgramme().then((programme) => this.takeProgramme(programme));
    setInterval(() => this.sync(), SYNC_EVERY_MS);
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this.sync();
    });
    addEventListener("online", () => this.retryNow());
  }

  /** Call ``fn`` on each ``kind`` of event; ``first``: before the listeners already there
   * (the plan a state refers to is taken before any page draws that state: plan.js). */
  on(kind, fn, { first = false } = {}) {
    if (first) this.listeners[kind].unshift(fn);
    else this.listeners[kind].push(fn);
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

  /** Forget the socket ``ws`` (it closed, or is given up); ``false`` if it was not ours. */
  drop(ws) {
    if (ws !== this.ws) return false;
    this.ws = null;
    for (const [id, waiting] of this.pending) {
      waiting.reject({ code: "disconnected", message: "the connection dropped" });
      this.pending.delete(id);
    }
    return true;
  }

  closed(ws) {
    if (!this.drop(ws)) return;
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

  /** The programme the texts come from (a new plan, never an older one); shows what waited. */
  takeProgramme(programme) {
    if (programme === this.programme || older(programme, this.programme)) return;
    this.programme = programme;
    const waiting = this.waiting.splice(0);
    for (const message of waiting) this.receive(message);
    if (!waiting.length && this.held !== null) this.show("programme");
  }

  /** Start again from a snapshot: a delta that does not follow the version held (the
   * socket is opened again naming it, ``have``, and the server sends the snapshot). */
  resync() {
    const ws = this.ws;
    if (ws === null || !this.drop(ws)) return; // reconnecting already
    ws.close();
    this.open();
  }

  show(kind) {
    this.state = hydrate(this.held, this.programme, this.serverTime);
    this.emit("state", this.state, kind);
  }

  receive(message) {
    if (this.programme === null && (message.type === "snapshot" || message.type === "delta")) {
      this.waiting.push(message);
      return;
    }
    switch (message.type) {
      case "snapshot":
      case "delta": {
        const next = follow(this.held, this.version, message);
        if (next === null) this.resync();
        if (!next) return;
        this.held = next;
        this.version = message.version;
        this.serverTime = message.server_time;
        if (message.type === "delta") this.clock.rough(message.server_time); // a snapshot may be old
        this.show(message.type === "delta" ? "state" : "snapshot");
        return;
      }
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
      case "caption": // a live caption line (captions.js)
        this.emit("caption", message);
        return;
      case "programme": // the plan changed: the new one, just before the state of its version:
        this.takeProgramme(message.programme); // the texts the states take from now on
        this.emit("programme", message); // plan.js hands it to the page with that state
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
let programmeAnswer = null;

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
 * ``firstData`` when the page asked for it (its ``Live`` made with ``first: true``). Asked
 * once: the page and its ``Live`` (for the states' texts) share the answer. */
export function loadProgramme() {
  programmeAnswer ??= askProgramme();
  return programmeAnswer;
}

async function askProgramme() {
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
