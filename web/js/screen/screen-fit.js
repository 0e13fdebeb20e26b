// The venue screen's blocks fitted to the room they have, whatever the screen's size and
// fonts: the countdown keeps the largest share of the screen whatever else is up (a cue,
// the audience's question, the stage's message). The other blocks give way first: they
// scale down (``--fit``, which screen.css multiplies their sizes by), then show fewer lines
// (``--question-lines``, ``--message-lines``: an ellipsis, never a cut glyph); only then
// does the countdown shrink, and on a landscape screen not under FLOOR of its height
// unless nothing else is left to give.

const $ = (id) => document.getElementById(id);
const FITS = [1, 0.92, 0.85, 0.78, 0.72, 0.66, 0.6, 0.55, 0.5];
const LINES = [
  ["--question-lines", 3],
  ["--message-lines", 2],
  ["--question-lines", 2],
  ["--message-lines", 1],
  ["--question-lines", 1],
];
const FLOOR = 0.3;
const BESIDE = [".screen-top", ".screen-bottom", ".screen-badges", "#cue", ".screen-speaker",
  "#question", "#message"];

function setVar(name, value) {
  document.body.style.setProperty(name, String(value));
}

/** Whether a block hides a line of its text, cut by its line clamp or squeezed by the
 * layout: its whole text, measured with the clamp lifted for a moment, is taller than the
 * room it has by more than half a line. */
function hidesALine(el) {
  if (el.offsetParent === null) return false; // hidden: nothing to measure
  const style = getComputedStyle(el);
  const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.5;
  const room = el.clientHeight;
  el.style.webkitLineClamp = "unset";
  const whole = el.scrollHeight;
  el.style.webkitLineClamp = "";
  return whole > room + line / 2;
}

/** The screen's middle is taller than its room: something would be pushed off or overlap. */
function overflows(main) {
  return main.scrollHeight > main.clientHeight;
}

/** A block beside the countdown is as tall as its digits, or taller. */
function outgrown(countdown) {
  const digits = countdown.getBoundingClientRect().height;
  return BESIDE.some((selector) => {
    const el = document.querySelector(selector);
    return el.offsetParent !== null && el.getBoundingClientRect().height >= digits;
  });
}

/** Lay the screen out again from its CSS sizes (call it when the size or a text changed). */
export function fitStage() {
  const countdown = $("countdown");
  const main = $("live").parentElement;
  for (const name of ["--fit", "--question-lines", "--message-lines"]) {
    document.body.style.removeProperty(name);
  }
  countdown.style.fontSize = "";
  if (countdown.offsetParent === null) return; // between sessions: nothing to fit
  // the CSS size, made smaller when the digits are wider than the screen (``+1:02:03`` in
  // whatever font the machine has)
  let size = parseFloat(getComputedStyle(countdown).fontSize);
  const room = main.clientWidth - parseFloat(getComputedStyle(main).paddingLeft) * 2;
  if (countdown.scrollWidth > room) size *= (room / countdown.scrollWidth) * 0.98;
  countdown.style.fontSize = `${size}px`;
  const texts = [$("question-text"), $("message-text")];
  const crowded = () => overflows(main) || outgrown(countdown);
  // 1. the others shrink while anything is too big, or a text hides a line it could show
  for (const fit of FITS) {
    setVar("--fit", fit);
    if (!crowded() && !texts.some(hidesALine)) break;
  }
  // 2. then show fewer lines
  for (const [name, lines] of LINES) {
    if (!crowded()) break;
    setVar(name, lines);
  }
  // 3. only then the countdown gives way: to its floor, and past it only if still needed
  const floor = innerWidth > innerHeight ? FLOOR * innerHeight : 0;
  for (const least of [floor, size / 3]) {
    while (overflows(main) && size * 0.95 >= least) {
      size *= 0.95;
      countdown.style.fontSize = `${size}px`;
    }
  }
}
