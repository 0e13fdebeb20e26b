// The question assistant's page (a tablet): every question of a session, newest and most
// voted first, to approve, dismiss, mark answered or restore. ?room=ID; the token comes
// in the link (#token=...) or is typed in; it sends no timing commands.

import { langButton, onLang, t, translate } from "../i18n.js";
import { Live, takeToken } from "../connection.js";
import { followPlan } from "../live/plan.js";
import { localized, setText, show, statusCorner } from "../podium.js";
import { OriginFilter, Questions, renderBoard } from "../question-list.js";
import { signIn } from "../sign-in.js";

const $ = (id) => document.getElementById(id);
const token = takeToken();
const live = new Live({ client: "questions", token });
const questions = new Questions(live, { token, onChange: render });
const origins = new OriginFilter($("origin"), () => render());
let programme = null;
let status = "pending";

function render() {
  const session = $("session").value || null;
  const inSession = (q) => !session || q.session_id === session;
  origins.render(questions.ranked(inSession));
  const shown = questions.ranked((q) => q.status === status && inSession(q) && origins.accepts(q));
  renderBoard($("list"), shown, { act });
  show($("empty"), shown.length === 0);
  for (const tab of $("tabs").children) {
    const count = questions.ranked((q) => q.status === tab.dataset.status).length;
    tab.classList.toggle("is-on", tab.dataset.status === status);
    tab.dataset.count = count;
    setText(tab, `${t(`questions.status.${tab.dataset.status}`)} (${count})`);
  }
}

async function act(q, action) {
  try {
    await questions.moderate(q.id, action);
    show($("error"), false);
  } catch (error) {
    setText($("error"), error.message);
    show($("error"), true);
  }
}

/** "On now: Session 1 — Mr. Ran XIAO", or that nothing is (yet, or any more). */
function onNow() {
  const state = live.state;
  if (!state) return;
  const session = state.session;
  if (!session) {
    setText($("on-now"), t(state.phase === "finished" ? "phase.finished" : "phase.idle"));
    return;
  }
  const who = [localized(session, "title"), localized(state.speaker, "display_name")];
  setText($("on-now"), t("questions.on_now", { who: who.filter(Boolean).join(" — ") }));
}

function sessions() {
  const select = $("session");
  const current = live.state?.session?.id ?? select.value;
  select.replaceChildren(new Option(t("questions.all_sessions"), ""));
  for (const s of programme?.sessions ?? []) select.append(new Option(localized(s, "title"), s.id));
  select.value = current ?? "";
}

const showPage = signIn(live, ["questions", "moderator"], {
  given: (typed) => {
    questions.token = typed;
  },
  granted: () => questions.reload(),
});
$("tabs").addEventListener("click", (event) => {
  const tab = event.target.closest("[data-status]");
  if (tab) {
    status = tab.dataset.status;
    render();
  }
});
$("session").addEventListener("change", render);
live.on("state", onNow);

translate();
langButton($("lang"));
statusCorner(live);
showPage(false);
onLang(() => {
  sessions();
  render();
  onNow();
});
followPlan(live, (p) => {
  programme = p;
  setText($("event-title"), localized(p, "title"));
  sessions();
  render();
});
