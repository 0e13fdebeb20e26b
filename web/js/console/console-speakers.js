// The console's side of the speakers' links: every speaker's readiness, live in the
// rundown (not connected / connected / ready / on, the link's round trip, when last seen,
// their note), their link (copy, or a QR code for a phone in the room), and "present" for a
// speaker in the room who has no link open.

import { lang, onLang, t } from "../i18n.js";
import { apiUrl } from "../connection.js";
import { el, setText, timeOfDay } from "../podium.js";
import { ScriptView } from "../script/script-view.js";

const $ = (id) => document.getElementById(id);

export class SpeakerDesk {
  /** ``say(words, kind)`` puts a line under the controls (the console's feedback). */
  constructor(live, say) {
    this.live = live;
    this.say = say;
    this.readiness = {};
    this.cells = new Map(); // speaker id -> redraw of their line
    this.links = null; // speaker id -> url, once asked for
    this.zone = undefined;
    this.scripts = new ScriptView(() => this.live.token); // any speaker's, as they see it
    live.on("readiness", (speakers) => {
      this.readiness = speakers;
      for (const redraw of this.cells.values()) redraw();
    });
    onLang(() => this.cells.forEach((redraw) => redraw()));
    $("link-close").addEventListener("click", () => $("link-dialog").close());
  }

  async request(path) {
    const response = await fetch(apiUrl(path), {
      headers: { Authorization: `Bearer ${this.live.token}` },
    });
    if (!response.ok) {
      let message = `HTTP ${response.status}`;
      try {
        message = (await response.json()).error.message;
      } catch {
        // not our JSON error: the status says enough
      }
      throw new Error(message);
    }
    return response;
  }

  async link(speakerId) {
    if (!this.links) {
      const rows = await (await this.request("/api/speakers/links")).json();
      this.links = new Map(rows.map((row) => [row.speaker_id, row.url]));
    }
    return this.links.get(speakerId);
  }

  /** The line under a speaker in the rundown; ``on``: they are speaking now. */
  row(speaker, name, on) {
    const line = el("div", "rd-ready");
    line.dataset.speaker = speaker.id;
    const chip = el("span", "ready-chip");
    const facts = el("span", "ready-facts num");
    const note = el("span", "ready-note");
    const actions = el("span", "ready-actions");
    const copy = el("button", "btn btn-small", t("console.link.copy"));
    copy.type = "button";
    copy.addEventListener("click", () => this.copy(speaker.id, name));
    const qr = el("button", "btn btn-small", t("console.link.qr"));
    qr.type = "button";
    qr.addEventListener("click", () => this.showCode(speaker.id, name));
    actions.append(copy, qr);
    if (speaker.has_script) {
      const script = el("button", "btn btn-small rd-script", t("script.open"));
      script.type = "button";
      script.addEventListener("click", () => this.scripts.open(speaker.id, name));
      actions.append(script);
    }
    let present = null;
    if (speaker.presence === "in_room") {
      present = el("button", "btn btn-small ready-present", t("console.present"));
      present.type = "button";
      present.title = t("console.present.title");
      present.addEventListener("click", () => this.mark(speaker.id, !this.entry(speaker.id).ready));
      actions.append(present);
    }
    line.append(chip, facts, note, actions);
    const redraw = () => {
      const entry = this.entry(speaker.id);
      const status = on ? "on" : entry.ready ? "ready" : entry.connected ? "connected" : "none";
      line.dataset.ready = status;
      setText(chip, t(`ready.${status}`));
      const bits = [];
      if (entry.connected && entry.rtt_ms !== null) bits.push(t("ready.rtt", { rtt: entry.rtt_ms }));
      if (!entry.connected && entry.last_seen) {
        bits.push(t("ready.seen", { t: timeOfDay(entry.last_seen, this.zone, { lang }) }));
      }
      setText(facts, bits.join(" · "));
      setText(note, entry.note ? `“${entry.note}”` : ""); // text, never markup
      if (present) present.setAttribute("aria-pressed", String(entry.ready));
    };
    this.cells.set(speaker.id, redraw);
    redraw();
    return line;
  }

  entry(speakerId) {
    return (
      this.readiness[speakerId] ?? {
        connected: false, ready: false, note: null, rtt_ms: null, last_seen: null,
      }
    );
  }

  async copy(speakerId, name) {
    let url;
    try {
      url = await this.link(speakerId);
    } catch (error) {
      this.say(() => t("console.link.failed", { message: error.message }), "error");
      return;
    }
    try {
      await navigator.clipboard.writeText(url);
      this.say(() => t("console.link.copied", { name }), "ok");
    } catch {
      this.say(() => t("console.link.copy_failed"), "error");
      this.showCode(speakerId, name); // the link is there to select and copy by hand
    }
  }

  async showCode(speakerId, name) {
    let svg;
    let url;
    try {
      url = await this.link(speakerId);
      const path = `/api/speakers/qr?speaker_id=${encodeURIComponent(speakerId)}`;
      svg = await (await this.request(path)).text();
    } catch (error) {
      this.say(() => t("console.link.failed", { message: error.message }), "error");
      return;
    }
    setText($("link-title"), t("console.link.title", { name }));
    $("link-code").src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
    $("link-url").value = url;
    $("link-dialog").showModal();
    $("link-url").select();
  }

  async mark(speakerId, ready) {
    try {
      const response = await fetch(apiUrl("/api/readiness"), {
        method: "POST",
        headers: { Authorization: `Bearer ${this.live.token}`, "Content-Type": "application/json" },
        body: JSON.stringify({ speaker_id: speakerId, ready }),
      });
      if (!response.ok) throw new Error((await response.json()).error.message);
    } catch (error) {
      this.say(() => t("console.error", { message: error.message }), "error");
    }
  }
}
