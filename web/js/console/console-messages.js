// How long each message has been up ("up 12 min"), from the moment the server stored with
// it (``messages.screen.at``, ``messages.viewers.at``), on the server's clock: no ticks.

import { t } from "../i18n.js";
import { hoursMinutes, setText } from "../podium.js";

/** "up 12 min", or "up < 1 min" in its first minute. */
export function upFor(at, now) {
  const minutes = Math.floor(Math.max(now - at, 0) / 60_000);
  if (!minutes) return t("console.message.up_new");
  return t("console.message.up", { t: hoursMinutes(minutes) });
}

/** Refresh the age beside the stage's and the viewers' message. */
export function showMessageAges(messages, now) {
  for (const slot of ["screen", "viewers"]) {
    const message = messages[slot];
    setText(document.getElementById(`message-${slot}-age`), message ? upFor(message.at, now) : "");
  }
}
