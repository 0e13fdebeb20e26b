// The moderator's cue to the speaker on stage ("wrap up", "stop") as the venue screen and
// the speaker's page show it: a flash when it comes, then steady until it is cleared or the
// speaker changes. With ?sound=1 (or the page's own switch) a short tone goes with a new
// cue, where the browser allows sound. The overlay and the viewers' page never show cues.

import { onLang, t } from "./i18n.js";
import { query } from "./connection.js";

const FLASH_MS = 3000;
let audio = null;
let soundOn = query.get("sound") === "1";

/** Sound with cues on or off; called from a click, which is also what lets a browser play. */
export function setCueSound(on) {
  soundOn = on;
  if (on) unlock();
}

function unlock() {
  try {
    audio ??= new AudioContext();
    audio.resume().catch(() => {});
  } catch {
    audio = null; // no Web Audio here: cues stay silent
  }
}

function tone(kind) {
  unlock();
  if (!audio) {
    document.body.dataset.cueSound = "unavailable";
    return;
  }
  const osc = audio.createOscillator();
  const gain = audio.createGain();
  osc.frequency.value = kind === "stop" ? 880 : 660;
  gain.gain.setValueAtTime(0.25, audio.currentTime);
  gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.7);
  osc.connect(gain).connect(audio.destination);
  osc.start();
  osc.stop(audio.currentTime + 0.7);
  // "running" when the browser let it sound; "suspended" when it waits for a click
  document.body.dataset.cueSound = audio.state;
}

/** Show ``live.state.cue`` in ``node``. */
export function cueBanner(node, live) {
  let shown = null; // the ``at`` of the cue on show
  let unflash = null;
  // a browser plays sound only after the page was touched: be ready from the first touch
  for (const kind of ["pointerdown", "keydown"]) {
    addEventListener(kind, () => soundOn && unlock(), { once: true });
  }
  const render = () => {
    const cue = live.state?.cue ?? null;
    node.hidden = !cue;
    document.body.dataset.cue = cue?.kind ?? "";
    if (!cue) {
      shown = null;
      node.classList.remove("is-flashing");
      return;
    }
    node.dataset.kind = cue.kind;
    node.textContent = t(`cue.${cue.kind}`);
    if (cue.at === shown) return;
    shown = cue.at;
    const age = live.clock.now() - cue.at;
    if (age >= FLASH_MS) return; // it was given a while ago: steady at once
    node.classList.add("is-flashing");
    clearTimeout(unflash);
    unflash = setTimeout(() => node.classList.remove("is-flashing"), FLASH_MS - Math.max(age, 0));
    if (soundOn) tone(cue.kind);
  };
  live.on("state", render);
  onLang(render);
  return render;
}
