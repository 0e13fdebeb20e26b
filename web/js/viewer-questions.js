// The viewer page's questions: ask and vote over the page's WebSocket (its own questions'
// changes come back on it; a vote there is far cheaper for the server than a request), see
// your own questions' status, and the question on screen highlighted. The ids asked and
// voted are kept in localStorage.

import { t } from "./i18n.js";
import { el, roomId, setText, show } from "./podium.js";
import { Questions, questionItem } from "./question-list.js";

const $ = (id) => document.getElementById(id);
const ROOM = roomId ?? "default";
const MINE_KEY = `podium.questions.mine.${ROOM}`;
const VOTED_KEY = `podium.questions.voted.${ROOM}`;
const VOTER_KEY = "podium.questions.voter";

function kept(key, fallback) {
  try {
    return JSON.parse(localStorage.getItem(key)) ?? fallback;
  } catch {
    return fallback;
  }
}

function voterId() {
  let voter = localStorage.getItem(VOTER_KEY);
  if (!voter) {
    const bytes = crypto.getRandomValues(new Uint8Array(12));
    voter = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    localStorage.setItem(VOTER_KEY, voter);
  }
  return voter;
}

export function viewerQuestions(live) {
  const mine = new Map(kept(MINE_KEY, []).map((q) => [q.id, q]));
  const voted = new Set(kept(VOTED_KEY, []));
  const questions = new Questions(live, { onChange: render });
  let settings = { enabled: true, max_length: 300 };

  function save() {
    localStorage.setItem(MINE_KEY, JSON.stringify([...mine.values()].slice(-50)));
    localStorage.setItem(VOTED_KEY, JSON.stringify([...voted].slice(-500)));
  }

  function render() {
    show($("questions"), settings.enabled);
    for (const q of questions.byId.values()) {
      if (mine.has(q.id)) mine.set(q.id, q);
    }
    show($("mine-box"), mine.size > 0);
    $("mine").replaceChildren(...[...mine.values()].reverse().map((q) => questionItem(q)));
    const shown = questions.ranked((q) => q.status === "approved" || q.status === "answered");
    $("public").replaceChildren(...shown.map(publicItem));
    show($("public-empty"), shown.length === 0);
    renderShown(live.state);
  }

  function publicItem(q) {
    const item = questionItem(q, { status: q.status === "answered" });
    if (q.id === live.state?.question?.id) item.classList.add("is-shown");
    if (q.status === "approved") {
      const button = el("button", "btn q-vote", t(voted.has(q.id) ? "questions.voted" : "questions.vote"));
      button.type = "button";
      button.disabled = voted.has(q.id);
      button.addEventListener("click", () => vote(q));
      item.append(button);
    }
    return item;
  }

  async function vote(q) {
    voted.add(q.id);
    save();
    render();
    try {
      // on the page's own connection: a vote in a storm costs the server far less than a request
      const ack = await live.request({ type: "vote", question_id: q.id, voter: voterId() });
      questions.byId.set(q.id, { ...questions.byId.get(q.id), votes: ack.voted.votes });
      render();
    } catch (error) {
      if (error.code !== "invalid_transition") voted.delete(q.id);
      setText($("ask-note"), error.message);
      render();
    }
  }

  /** Once the programme has finished asking is closed (the server answers 409): say so. */
  function renderClosed(state) {
    const closed = state?.phase === "finished";
    for (const field of $("ask").elements) field.disabled = closed;
    show($("ask-closed"), closed);
  }

  function renderShown(state) {
    renderClosed(state);
    const q = state?.question;
    show($("shown"), Boolean(q));
    setText($("shown-text"), q ? q.text : "");
    setText($("shown-name"), q?.name ? `— ${q.name}` : "");
  }

  function count() {
    setText($("ask-count"), `${$("ask-text").value.length}/${settings.max_length}`);
  }

  $("ask-text").addEventListener("input", count);
  $("ask").addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = $("ask-text").value.trim();
    const name = $("ask-name").value.trim();
    try {
      const ack = await live.request({ type: "ask", text, ...(name ? { name } : {}) });
      mine.set(ack.question.id, { ...ack.question, text, name, votes: 0, asked_at: Date.now() });
      save();
      $("ask-text").value = "";
      count();
      setText($("ask-note"), t(`questions.sent.${ack.question.status}`));
      render();
    } catch (error) {
      setText($("ask-note"), error.message);
    }
  });
  live.on("questions", (message) => {
    if (!message.mine) return;
    for (const q of message.questions) mine.set(q.id, q);
    save();
    render();
  });
  let down = true;
  const followMine = (status) => {
    if (status === "live" && down && mine.size) live.send({ type: "mine", ids: [...mine.keys()] });
    down = status !== "live";
  };
  live.on("status", followMine);
  followMine(live.status); // made once the state is shown: the socket may be open already
  live.on("state", renderShown);

  return {
    programme(p) {
      settings = p.questions ?? settings;
      $("ask-text").maxLength = settings.max_length;
      count();
      render();
    },
    render,
  };
}
