// The rundown editor's form: one speaker's or one session's fields, in the programme
// file's own words (``name``, ``honorific``, ``affiliation``, ``presence``, ``allocation``
// such as "8m", the ``_zh`` texts, the floor ``language`` when the programme has several;
// a session's ``title``, ``start``, ``duration``, ``date`` and ``kind`` (a break or not)),
// filled from the running plan. ``changes()`` gives only what the moderator changed; a new
// speaker's form gives every field written.

import { t } from "../i18n.js";
import { el } from "../podium.js";

/** ``el`` with a label that a language switch says again (``translate`` in i18n.js). */
function labelled(tag, className, key) {
  const node = el(tag, className, t(key));
  node.dataset.i18n = key;
  return node;
}

/** ``500000`` → ``8m20s``: the programme file's way (format_duration in core/config). */
export function durationWords(ms) {
  const seconds = Math.round(ms / 1000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${h ? `${h}h` : ""}${m ? `${m}m` : ""}${s ? `${s}s` : ""}` || "0s";
}

const PRESENCES = ["in_room", "remote", "recorded"];

/** A language's name in the page's language ("Chinese (zh)"), else its code. */
function languageName(code) {
  try {
    const names = new Intl.DisplayNames([document.documentElement.lang || "en"], {
      type: "language",
    });
    return `${names.of(code)} (${code})`;
  } catch {
    return code;
  }
}

/** A speaker's fields: [name, label key, kind, value from the plan]; ``languages``: the
 * programme's, offered when there are several. */
function speakerFields(speaker, languages) {
  const language = languages.length > 1
    ? [["language", "plan.field.language", "language", speaker?.language ?? languages[0]]]
    : [];
  return [
    ["honorific", "plan.field.honorific", "text", speaker?.honorific ?? ""],
    ["name", "plan.field.name", "text", speaker?.name ?? ""],
    [
      "allocation",
      "plan.field.allocation",
      "duration",
      speaker ? durationWords(speaker.allocation_ms) : "",
    ],
    ["affiliation", "plan.field.affiliation", "text", speaker?.affiliation ?? ""],
    ["presence", "plan.field.presence", "presence", speaker?.presence ?? "in_room"],
    ["name_zh", "plan.field.name_zh", "text", speaker?.name_zh ?? ""],
    ["affiliation_zh", "plan.field.affiliation_zh", "text", speaker?.affiliation_zh ?? ""],
    ...language,
  ];
}

/** A session's fields; ``start`` as HH:MM in the event's zone (``hm``), ``date`` the day
 * it is planned on there (``planned_start``'s own day), ``kind`` a checkbox: a break. */
function sessionFields(session, hm) {
  return [
    ["title", "plan.field.title", "text", session.title ?? ""],
    ["start", "plan.field.start", "time", hm(session.planned_start_ms)],
    ["duration", "plan.field.duration", "duration", durationWords(session.duration_ms)],
    ["title_zh", "plan.field.title_zh", "text", session.title_zh ?? ""],
    ["date", "plan.field.date", "date", session.planned_start?.slice(0, 10) ?? ""],
    ["kind", "plan.field.break", "break", session.kind ?? "session"],
  ];
}

/** A field's value as the command gives it: a checkbox's ``kind``, else the text. */
function valueOf(field) {
  if (field.type === "checkbox") return field.checked ? "break" : "session";
  return field.value.trim();
}

function input(name, kind, value, languages) {
  if (kind === "language") {
    const select = el("select", "plan-input");
    for (const code of languages) {
      const option = el("option", "", languageName(code));
      option.value = code;
      select.append(option);
    }
    select.value = value;
    return select;
  }
  if (kind === "break") {
    const box = el("input", "plan-check");
    box.type = "checkbox";
    box.checked = value === "break";
    return box;
  }
  if (kind === "presence") {
    const select = el("select", "plan-input");
    for (const presence of PRESENCES) {
      const option = labelled("option", "", `presence.${presence}`);
      option.value = presence;
      select.append(option);
    }
    select.value = value;
    return select;
  }
  const field = el("input", "plan-input");
  field.type = kind === "time" || kind === "date" ? kind : "text";
  if (kind === "duration") {
    field.placeholder = t("plan.field.duration_hint");
    field.dataset.i18nPlaceholder = "plan.field.duration_hint";
    field.classList.add("num");
  }
  field.value = value;
  field.autocomplete = "off";
  field.spellcheck = false;
  return field;
}

export class PlanForm {
  /** ``target``: ``{kind: "speaker"|"session"|"new", item}``; ``save(fields)`` and
   * ``cancel()`` are the editor's; ``languages``: the programme's. */
  constructor(target, { hm, save, cancel, languages = [] }) {
    this.target = target;
    const session = target.kind === "session";
    this.fields = session
      ? sessionFields(target.item, hm)
      : speakerFields(target.item, languages);
    const form = el("form", `plan-form plan-form-${target.kind}`);
    form.noValidate = true;
    form.dataset.planForm = target.kind;
    form.setAttribute("aria-label", t(`plan.form.${target.kind}`));
    form.dataset.i18nLabel = `plan.form.${target.kind}`;
    const grid = el("div", "plan-grid");
    this.inputs = new Map();
    for (const [name, label, kind, value] of this.fields) {
      const field = input(name, kind, value, languages);
      field.name = name;
      field.id = `plan-${name}`;
      const wrap = el("label", `plan-field plan-field-${name}`);
      wrap.append(labelled("span", "plan-label", label), field);
      grid.append(wrap);
      this.inputs.set(name, field);
    }
    const buttons = el("div", "plan-form-buttons");
    const word = target.kind === "new" ? "plan.add" : "plan.save";
    const ok = labelled("button", "btn btn-primary btn-small", word);
    ok.type = "submit";
    const no = labelled("button", "btn btn-small", "console.cancel");
    no.type = "button";
    no.addEventListener("click", cancel);
    buttons.append(ok, no, labelled("span", "plan-form-keys", "plan.form.keys"));
    grid.append(buttons);
    form.append(grid);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      save(this.changes());
    });
    form.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation();
        cancel();
      }
    });
    this.node = form;
  }

  /** What the moderator wrote: for a new speaker every field given, else what differs. */
  changes() {
    const out = {};
    for (const [name, , , before] of this.fields) {
      const value = valueOf(this.inputs.get(name));
      if (this.target.kind === "new" ? value !== "" : value !== before) out[name] = value;
    }
    return out;
  }

  focus() {
    this.inputs.get(this.target.kind === "session" ? "title" : "name").focus();
  }
}
