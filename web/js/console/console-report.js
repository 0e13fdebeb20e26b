// The console's Report button: the event report, made by the server (GET /api/report), opened
// in a new tab; what went wrong said in the console's feedback line.

import { t } from "../i18n.js";
import { apiUrl } from "../connection.js";

/** The event report, made by the server, opened in a new tab from a blob URL. */
export async function openReport(token, feedback) {
  let response;
  try {
    response = await fetch(apiUrl("/api/report?format=html"), {
      headers: { Authorization: `Bearer ${token}` },
    });
  } catch {
    feedback(() => t("console.report.failed", { message: t("status.reconnecting") }), "error");
    return;
  }
  if (!response.ok) {
    let message = `HTTP ${response.status}`;
    try {
      message = (await response.json()).error.message;
    } catch {
      // not our JSON error: the status says enough
    }
    feedback(() => t("console.report.failed", { message }), "error");
    return;
  }
  const url = URL.createObjectURL(await response.blob());
  if (!window.open(url, "_blank")) feedback(() => t("console.report.blocked"), "error");
}
