// The broadcast overlay: a transparent lower third for OBS / vMix browser sources.
// Query options: ?timer=1 (show time left), ?hold=SECONDS (hide after that long on air),
// ?captions=1 (live captions at the foot, the lower thirds above them), ?preview=1 (a
// stand-in picture behind it, to set it up), ?lang=, ?room=.

import { t, translate } from "../i18n.js";
import { Live, query, takeToken } from "../connection.js";
import { followPlan } from "../live/plan.js";
import { countdown, timerLeft } from "../countdown.js";
import { redrawn, firstShown, localized, setText, show, statusCorner } from "../podium.js";
import { CaptionBox } from "../captions.js";

const $ = (id) => document.getElementById(id);
const OUT_MS = 450; // the exit animation, then the text swaps
const showTimer = query.get("timer") === "1";
const holdSeconds = Number(query.get("hold") ?? 0);
const live = new Live({ client: "overlay", token: takeToken(), first: true });
let onAir = null; // the speaker id shown
let swap = null;
let hold = null;

if (query.get("preview") === "1") document.body.classList.add("is-preview");
if (query.get("captions") === "1") {
  document.body.classList.add("has-captions");
  show($("lt-captions"), true);
  new CaptionBox(live, $("lt-captions"));
}

/** The lower third's words: the speaker as the plan now says (a renamed speaker on air is
 * corrected in place, without going out and in again). */
function words(speaker) {
  setText($("lt-name"), localized(speaker, "display_name"));
  setText($("lt-aff"), localized(speaker, "affiliation"));
  const remote = speaker.presence !== "in_room";
  setText($("lt-presence"), remote ? t(`presence.${speaker.presence}`) : "");
  show($("lt-presence"), remote);
  show($("lt-timer"), showTimer);
  show($("lt-side"), remote || showTimer);
}

function put(speaker) {
  words(speaker);
  $("lower-third").classList.add("is-in");
  clearTimeout(hold);
  if (holdSeconds > 0) {
    hold = setTimeout(() => $("lower-third").classList.remove("is-in"), holdSeconds * 1000);
  }
}

/** Animate out whatever is on, then in with the new speaker (or stay out: nobody). */
function render() {
  firstShown();
  const speaker = live.state?.speaker ?? null;
  const key = speaker ? speaker.id : null;
  if (key === onAir) {
    if (speaker) words(speaker);
    return;
  }
  const wasOn = onAir !== null;
  onAir = key;
  clearTimeout(swap);
  $("lower-third").classList.remove("is-in");
  if (!speaker) return;
  swap = setTimeout(() => put(speaker), wasOn ? OUT_MS : 0);
}

function draw(now) {
  if (!showTimer || !live.state?.session) return;
  setText($("lt-timer"), countdown(timerLeft(live.state, now)).text);
}

/** The audience's question on screen (show_question): a lower third above the speaker's. */
function renderQuestion() {
  const question = live.state?.question ?? null;
  if (question) {
    setText($("lt-question-text"), question.text);
    setText($("lt-question-name"), question.name ? `— ${question.name}` : "");
  }
  $("lt-question").classList.toggle("is-in", Boolean(question));
}

translate();
statusCorner(live);
live.on("state", render);
live.on("state", renderQuestion);
redrawn(live, draw);
// the event's look (its colours and logo), and the plan's changes (a speaker renamed)
followPlan(live, () => live.state && render());
