// The console's line about automations: how many of the programme's webhooks and OSC
// messages went out and failed lately, and the latest one with the receiver's answer. Only
// textContent: a receiver's answer is its text, never markup. Read from
// GET /api/automations after each change (events go out with changes) and every 10 s (the
// timed ones, retries); hidden when the programme has no automations.

import { onLang, t } from "../i18n.js";
import { apiUrl } from "../connection.js";
import { setText, show } from "../podium.js";

const $ = (id) => document.getElementById(id);
const EVERY_MS = 10_000;
const AFTER_CHANGE_MS = 1_000;

export class AutomationsLine {
  constructor(live) {
    this.live = live;
    this.seen = null;
    this.timer = null;
    live.on("auth", (role) => role === "moderator" && this.soon(0));
    live.on("state", () => this.seen && this.seen.automations.length && this.soon(AFTER_CHANGE_MS));
    onLang(() => this.render());
  }

  soon(delay) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.read(), delay);
  }

  async read() {
    try {
      const response = await fetch(apiUrl("/api/automations"), {
        headers: { Authorization: `Bearer ${this.live.token}` },
      });
      if (response.ok) this.seen = await response.json();
    } catch {
      // the connection's status corner says the server is away; read again later
    }
    this.render();
    if (this.seen && this.seen.automations.length) this.soon(EVERY_MS);
  }

  render() {
    const seen = this.seen;
    const line = $("automations");
    show(line, Boolean(seen && seen.automations.length));
    if (!seen || !seen.automations.length) return;
    const { delivered, failed, pending } = seen.counts;
    line.dataset.kind = failed ? "failed" : "ok";
    setText($("automations-counts"), t("console.automations.counts", { delivered, failed, pending }));
    const last = seen.deliveries[0];
    const outcome = last ? (last.error || last.answer || "") : "";
    setText(
      $("automations-last"),
      last ? t("console.automations.last", { event: last.event, status: t(`console.automations.${last.status}`), target: last.target, outcome }) : "",
    );
    line.title = seen.deliveries
      .filter((d) => d.status === "failed" || d.status === "retrying")
      .slice(0, 5)
      .map((d) => `${d.event} → ${d.target}: ${d.error || ""}`)
      .join("\n");
  }
}
