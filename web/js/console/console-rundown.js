// The console's rundown: every session with its speakers, their status, planned, actual and
// expected times with the shift (by the one lateness rule, ``rowLate``), each finished
// speaker's time against their allocation, and each speaker's readiness line. A click on a
// session or a speaker jumps there (after a confirm). Opened or reloaded mid-day, and at
// each new session, it scrolls to the live session (else the next one).

import { t } from "../i18n.js";
import { countdown, mmss, timerLeft } from "../countdown.js";
import {
  durationText,
  el,
  localized,
  personName,
  presenceChip,
  setText,
  shiftText,
} from "../podium.js";
import { rowLate, scheduleAt } from "../schedule.js";
import { withDays } from "../days.js";

const $ = (id) => document.getElementById(id);

export class Rundown {
  /** ``jump({session, speaker})``: the console's jump; ``desk``: its SpeakerDesk (the
   * readiness lines); ``hm(epochMs)``: a time of day in the event's zone. */
  constructor(live, { jump, desk, hm }) {
    this.live = live;
    this.jump = jump;
    this.desk = desk;
    this.hm = hm;
    this.list = $("rundown");
    this.scrolledTo = null; // the session the rundown was last scrolled to
    this.liveCells = []; // projected times: refreshed every second
    this.frameCells = []; // the live speaker's time: refreshed with the big timer
  }

  /** The live speaker's time, on every frame. */
  frame(now) {
    for (const refresh of this.frameCells) refresh(now);
  }

  /** The projected times, once a second. */
  second() {
    for (const refresh of this.liveCells) refresh();
  }

  render(programme, state) {
    this.liveCells.length = 0;
    this.frameCells.length = 0;
    const list = this.list;
    const focused = document.activeElement;
    const focusKey = focused?.dataset?.speaker ?? focused?.dataset?.session;
    const rows = programme.sessions.map((s) => state.schedule.find((r) => r.id === s.id));
    const items = programme.sessions.map((session, i) => this.sessionRow(session, rows[i], state));
    list.replaceChildren(...withDays(programme, rows, items, "rd-day"));
    if (focusKey) {
      const key = CSS.escape(focusKey);
      list.querySelector(`[data-speaker="${key}"], [data-session="${key}"]`)?.focus();
    }
    const current = state.session?.id ?? state.schedule.find((r) => r.status === "next")?.id;
    if (current && current !== this.scrolledTo) {
      this.scrolledTo = current; // opened (or reloaded) mid-day, and at each new session
      const row = list.querySelector(`[data-session="${CSS.escape(current)}"]`);
      const panel = list.closest(".panel");
      const below = row.getBoundingClientRect().top - panel.getBoundingClientRect().top;
      panel.scrollTop += below - panel.querySelector(".rundown-head").offsetHeight;
    }
  }

  sessionRow(session, row, state) {
    const hm = this.hm;
    const item = el("li", `rd-session is-${row.status}${session.kind === "break" ? " is-break" : ""}`);
    const head = el("button", "rd-session-head");
    head.type = "button";
    head.dataset.session = session.id;
    const when = el("span", "rd-when num");
    const planned = el("span", "rd-planned", `${hm(row.planned_start)}–${hm(row.planned_end)}`);
    const moved = el("span", "rd-moved");
    const shift = el("span", "rd-shift");
    when.append(planned, moved, shift);
    const refresh = () => {
      const live = this.live;
      const current = scheduleAt(live.state, live.serverTime, live.clock.now()).rows.find(
        (r) => r.id === session.id,
      );
      if (current.status === "skipped") return;
      const start = current.actual_start ?? current.projected_start;
      const end = current.actual_end ?? current.projected_end;
      const late = shiftText(rowLate(current));
      const words =
        current.status === "done"
          ? t("label.ran", { t: `${hm(start)}–${hm(end)}` })
          : current.status === "live"
            ? `${t("label.started", { t: hm(start) })} · ${t("label.projected_end", { t: hm(end) })}`
            : late
              ? `${t("label.projected")} ${hm(start)}`
              : "";
      setText(moved, words);
      setText(shift, late);
      shift.dataset.late = late.startsWith("+") ? "late" : late ? "early" : "";
    };
    refresh();
    this.liveCells.push(refresh);
    head.append(when);
    const title = el("span", "rd-title");
    title.append(el("span", "rd-session-title", localized(session, "title")));
    if (session.kind === "break") title.append(el("span", "chip chip-break", t("break.tag")));
    const meta = session.moderators.map(personName).join(", ");
    if (meta) title.append(el("span", "rd-aff", `${t("label.moderators")} ${meta}`));
    head.append(title);
    head.append(el("span", `state state-${row.status}`, t(`state.${row.status}`)));
    head.addEventListener("click", () => {
      if (row.status !== "live") this.jump({ session });
    });
    item.append(head);
    if (session.speakers.length) {
      const list = el("ol", "rd-speakers");
      session.speakers.forEach((speaker, i) =>
        list.append(this.speakerRow(session, speaker, i, state, row)),
      );
      item.append(list);
    }
    return item;
  }

  speakerRow(session, speaker, index, state, row) {
    const run = state.speakers_run[speaker.id];
    const isLive = state.session?.id === session.id && state.speaker?.id === speaker.id;
    const isNext = state.next_speaker?.id === speaker.id;
    const given = row.speakers[speaker.id]; // live, done, skipped or upcoming
    const status = isLive ? "live" : isNext && given === "upcoming" ? "next" : given;
    const item = el("li", `rd-speaker is-${status}`);
    const button = el("button", "rd-speaker-button");
    button.type = "button";
    button.dataset.speaker = speaker.id;
    button.append(el("span", "rd-index num", String(index + 1)));
    const who = el("span", "rd-who");
    who.append(el("span", "rd-name", personName(speaker)));
    if (speaker.affiliation) who.append(el("span", "rd-aff", localized(speaker, "affiliation")));
    button.append(who);
    if (speaker.presence !== "in_room") {
      button.append(presenceChip(el("span"), speaker.presence));
    }
    const time = el("span", "rd-time num");
    if (run?.ended_at) {
      const used = run.ended_at - run.started_at;
      time.textContent = `${mmss(Math.round(used / 1000))} / ${mmss(speaker.allocation_ms / 1000)}`;
      time.classList.toggle("is-over", run.overtime_ms > 0); // the server's one rule
    } else if (isLive) {
      this.frameCells.push((now) => setText(time, countdown(timerLeft(this.live.state, now)).text));
    } else {
      time.textContent = durationText(speaker.allocation_ms);
    }
    button.append(time);
    if (status !== "upcoming") {
      const word = status === "next" ? t("label.next") : t(`state.${status}`);
      button.append(el("span", `state state-${status}`, word));
    }
    button.addEventListener("click", () => this.jump({ session, speaker }));
    item.append(button, this.desk.row(speaker, personName(speaker), isLive));
    return item;
  }
}
