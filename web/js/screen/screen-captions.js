// The venue screen's additions for the room's other languages and its questions:
// ?captions=1 puts live captions in a band at its foot, and between sessions the screen
// shows the room's link to ask a question as a QR code (/viewer?from=room: questions
// asked from it count as the room's). Kept apart from screen.js, which only calls it.

import { CaptionBox } from "../captions.js";
import { apiUrl, query } from "../connection.js";
import { show } from "../podium.js";

const $ = (id) => document.getElementById(id);

export function screenExtras(live, programme) {
  if (query.get("captions") === "1") {
    document.body.classList.add("has-captions");
    show($("captions"), true);
    new CaptionBox(live, $("captions"));
  }
  const asking = programme.questions?.enabled !== false;
  const qr = $("ask-qr");
  const url = apiUrl("/api/questions/qr");
  if (live.token) url.searchParams.set("token", live.token); // a private event's reader
  qr.src = url.href;
  const render = () => show($("ask"), asking && live.state?.phase === "idle");
  live.on("state", render);
  render();
}
