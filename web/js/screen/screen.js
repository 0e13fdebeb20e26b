// The venue screen: the speaker's countdown, huge, for the stage.
// Query options: ?amber=SECONDS (default: the programme's warning), ?sound=1 (a tone with
// each cue), ?captions=1 (live captions at the foot: screen-captions.js), ?lang=en|zh-CN,
// ?room=ID.

import { cueBanner } from "../cue.js";
import { signalBanner } from "../booth-signal.js";
import { fitStage } from "./screen-fit.js";
import { langButton, onLang, t, translate, lang } from "../i18n.js";
import { Live, query, takeToken } from "../connection.js";
import { followPlan } from "../live/plan.js";
import { mmss, timerCountdown } from "../countdown.js";
import {
  redrawn,
  firstShown,
  localized,
  setText,
  show,
  statusCorner,
  timeOfDay,
  zoneName,
} from "../podium.js";
import { scheduleAt } from "../schedule.js";
import { breakResume } from "../days.js";
import { screenExtras } from "./screen-captions.js";

const amberSeconds = Number(query.get("amber") ?? Number.NaN);
const AMBER_MS = Number.isFinite(amberSeconds) && amberSeconds >= 0 ? amberSeconds * 1000 : null;
const CONTROLS_IDLE_MS = 2500;

const $ = (id) => document.getElementById(id);
const live = new Live({ client: "screen", token: takeToken(), first: true });
let programme = null;

function sessionTitle(id) {
  return localized(programme?.sessions.find((s) => s.id === id), "title");
}

/** What changes only when the state does. */
function renderState() {
  const state = live.state;
  if (!state) return;
  document.body.classList.toggle("is-blackout", state.blackout);
  show($("blackout"), state.blackout);
  const session = state.session;
  show($("live"), Boolean(session));
  show($("slot-bar"), Boolean(session));
  show($("idle"), !session);
  setText($("session-title"), localized(session ?? programme, "title"));
  document.body.classList.toggle("is-break", Boolean(breakResume(programme, state)));
  if (session) {
    const speaker = state.speaker;
    // a segment without speakers (the closing "Appreciation…") shows its title in the
    // name's place: it may be long, so it wraps instead of pushing the countdown away
    // a break says when we resume: "Lunch — we resume at 14:00"
    const pause = breakResume(programme, state);
    $("speaker-name").classList.toggle("is-title", !speaker);
    setText(
      $("speaker-name"),
      pause || localized(speaker ?? session, speaker ? "display_name" : "title"),
    );
    setText(
      $("speaker-affiliation"),
      speaker || pause
        ? localized(speaker, "affiliation")
        : localized(session, "moderators").join(" · "),
    );
    const next = state.next_speaker;
    setText(
      $("next-speaker"),
      next
        ? t("screen.next", { name: localized(next, "display_name") })
        : speaker
          ? t("label.last_speaker")
          : "",
    );
  } else {
    drawIdle(live.clock.now());
    setText($("next-speaker"), "");
  }
  show($("paused-badge"), state.timer.status === "paused");
  const presence = state.speaker?.presence ?? "in_room";
  show($("presence-badge"), presence !== "in_room");
  setText($("presence-badge"), presence === "in_room" ? "" : t(`label.speaking.${presence}`));
  document.body.dataset.presence = presence;
  document.body.classList.toggle("is-paused", state.timer.status === "paused");
  document.body.classList.toggle("has-cue", Boolean(state.session && state.cue));
  const message = state.messages.screen; // the stage's own: it goes with its speaker
  show($("message"), Boolean(message));
  document.body.classList.toggle("has-message", Boolean(message));
  setText($("message-text"), message ? message.text : "");
  const question = state.question; // the audience's, put on screen by the moderator
  show($("question"), Boolean(question));
  document.body.classList.toggle("has-question", Boolean(question));
  setText($("question-text"), question ? question.text : "");
  $("question-text").toggleAttribute("data-long", Boolean(question && question.text.length > 120));
  setText($("question-name"), question?.name ? `— ${question.name}` : "");
  if (programme) firstShown();
}

/** Between sessions: what comes next and when, projected from ``now`` (scheduleAt), so the
 * time moves with the clock through a break instead of staying where the last push left it. */
function drawIdle(now) {
  const state = live.state;
  const upcoming = scheduleAt(state, live.serverTime, now).rows.find((r) => r.status === "next");
  setText(
    $("idle-title"),
    state.phase === "finished" || !upcoming ? t("screen.finished") : t("screen.waiting"),
  );
  setText(
    $("idle-next"),
    upcoming && programme
      ? `${timeOfDay(upcoming.projected_start, programme.timezone, { lang })} · ${
          sessionTitle(upcoming.id)
        }`
      : localized(programme, "title"),
  );
}

function draw(now) {
  const state = live.state;
  if (programme) {
    setText($("local-clock"), timeOfDay(now, programme.timezone, { seconds: true, lang }));
  }
  if (!state?.session) {
    setText($("session-left"), "");
    if (state) drawIdle(now);
    return;
  }
  const shown = timerCountdown(state, now, AMBER_MS);
  setText($("countdown"), shown.text);
  refit();
  if (document.body.dataset.zone !== shown.zone) document.body.dataset.zone = shown.zone;
  const left = state.session.ends_at - now;
  const slot = left >= 0 ? mmss(Math.ceil(left / 1000)) : mmss(Math.floor(-left / 1000));
  setText(
    $("session-left"),
    left >= 0 ? t("screen.session_left", { t: slot }) : t("screen.session_over", { t: slot }),
  );
  const elapsed = 1 - Math.max(left, 0) / state.session.duration_ms;
  $("slot-fill").style.transform = `scaleX(${Math.min(Math.max(elapsed, 0), 1)})`;
  $("slot-bar").parentElement.classList.toggle("is-over", left < 0);
}

let fittedFor = "";

/** Fit the screen again (screen-fit.js) only when something that changes the layout did. */
function refit() {
  const key = [
    $("countdown").textContent.length,
    innerWidth,
    innerHeight,
    document.body.className,
    $("speaker-name").textContent,
    $("speaker-affiliation").textContent,
    $("message-text").textContent,
    $("question-text").textContent,
    $("question-name").textContent,
    $("presence-badge").textContent,
    $("paused-badge").hidden,
    $("cue").textContent,
    $("cue").hidden,
  ].join("|");
  if (key === fittedFor) return;
  fittedFor = key;
  fitStage();
}

function fullscreen() {
  const button = $("fullscreen");
  const label = () => {
    const on = Boolean(document.fullscreenElement);
    button.textContent = t(on ? "screen.exit_fullscreen" : "screen.fullscreen");
  };
  const toggle = () => {
    if (document.fullscreenElement) document.exitFullscreen();
    else document.documentElement.requestFullscreen?.().catch(() => {});
  };
  button.addEventListener("click", toggle);
  document.addEventListener("fullscreenchange", label);
  onLang(label);
  addEventListener("keydown", (event) => {
    if (event.key === "f" || event.key === "F") toggle();
  });
  // the controls show while the mouse moves, then get out of the way
  let idle = null;
  addEventListener("pointermove", () => {
    document.body.classList.add("controls-visible");
    clearTimeout(idle);
    idle = setTimeout(() => document.body.classList.remove("controls-visible"), CONTROLS_IDLE_MS);
  });
}

/** Keep the display awake while this page is visible (where the browser allows it). */
async function keepAwake() {
  if (!("wakeLock" in navigator) || document.visibilityState !== "visible") return;
  try {
    await navigator.wakeLock.request("screen");
    document.body.dataset.wakeLock = "on";
  } catch {
    document.body.dataset.wakeLock = "refused";
  }
}

translate();
langButton($("lang"));
fullscreen();
statusCorner(live);
live.on("state", renderState);
onLang(renderState);
cueBanner($("cue"), live);
signalBanner($("booth-signal"), live);
keepAwake();
document.addEventListener("visibilitychange", keepAwake);
followPlan(live, (p) => {
  programme = p;
  setText($("local-zone"), zoneName(p.timezone));
  screenExtras(live, p);
  renderState();
});
redrawn(live, draw);
