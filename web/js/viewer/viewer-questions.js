// The viewer page's questions: ask and vote over the page's WebSocket (its own questions'
// changes come back on it; a vote there is far cheaper for the server than a request), see
// your own questions' status, and the question on screen highlighted. The ids asked and
// voted are kept in localStorage, and so is the voter id the server issued this browser
// (POST /api/questions/voter), which every vote and ask carries: a reload keeps it.
// An ask or a vote carries a command_id and keeps it when sent again, so a retry after
// "outcome_unknown" (or no answer) is never a second question or vote.

import { t } from "../i18n.js";
import { apiUrl, commandId, query, readHeaders, roomId } from "../connection.js";
import { el, setText, show } from "../podium.js";
import { Questions, questionItem } from "../question-list.js";

const $ = (id) => document.getElementById(id);
const ROOM = roomId ?? "default";
const MINE_KEY = `podium.questions.mine.${ROOM}`;
const VOTED_KEY = `podium.questions.voted.${ROOM}`;
const VOTER_KEY = "podium.questions.voter-id"; // issued by the server (the old key held a made-up id)
// not sure the server got it (or sure it did not): sent again, with the same command_id
const UNSURE = new Set(["outcome_unknown", "unavailable", "timeout", "disconnected"]);
const RETRIES = 3;
const RETRY_MS = 2000;
// opened from the venue screen's QR code (/viewer?from=room): the questions are the room's
const ORIGIN = query.get("from") === "room" ? { origin: "room" } : {};

function kept(key, fallback) {
  try {
    return JSON.parse(localStorage.getItem(key)) ?? fallback;
  } catch {
    return fallback;
  }
}

let issuing = null;

/** The voter id the server issued this browser, asked for once and kept; ``fresh``: a new
 * one (the server did not know the kept one: another event, or a new key). */
async function voterId({ fresh = false } = {}) {
  if (fresh) localStorage.removeItem(VOTER_KEY);
  const kept = localStorage.getItem(VOTER_KEY);
  if (kept) return kept;
  issuing ??= fetch(apiUrl("/api/questions/voter"), { method: "POST", headers: readHeaders() })
    .then(async (response) => {
      const body = await response.json().catch(() => ({}));
      if (!response.ok) throw body.error ?? { code: "unavailable", message: response.statusText };
      localStorage.setItem(VOTER_KEY, body.voter);
      return body.voter;
    })
    .finally(() => {
      issuing = null;
    });
  return issuing;
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

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
    if (q.status === "approved" && !mine.has(q.id)) {
      // one's own question takes no vote from its asker (the server refuses it too)
      const button = el("button", "btn q-vote", t(voted.has(q.id) ? "questions.voted" : "questions.vote"));
      button.type = "button";
      button.disabled = voted.has(q.id);
      button.addEventListener("click", () => vote(q));
      item.append(button);
    }
    return item;
  }

  /** ``message`` answered, sent again (the same, command_id and all) while the answer
   * leaves it unsure whether it was made; ``onRetry`` says so. */
  async function sure(message, onRetry = () => {}) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await live.request(message);
      } catch (error) {
        if (!UNSURE.has(error.code) || attempt > RETRIES) throw error;
        onRetry(error);
        await pause(RETRY_MS);
      }
    }
  }

  /** ``build(voter)`` sent with the kept voter id; with a new one if the server refuses
   * the kept one. ``optional``: sent without one when none can be had. */
  async function withVoter(build, onRetry, optional = false) {
    const voter = await voterId().catch((error) => {
      if (optional) return null;
      throw error;
    });
    try {
      return await sure(build(voter), onRetry);
    } catch (error) {
      if (error.code !== "forbidden" || !voter) throw error;
      return sure(build(await voterId({ fresh: true })), onRetry);
    }
  }

  async function vote(q) {
    voted.add(q.id);
    save();
    render();
    try {
      // on the page's own connection: a vote in a storm costs the server far less than a request
      const id = commandId();
      const ack = await withVoter((voter) => ({
        type: "vote",
        question_id: q.id,
        voter,
        command_id: id,
      }));
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

  // the ask on its way, kept until answered: sending the same again reuses its command_id
  let asking = null;
  $("ask-text").addEventListener("input", count);
  $("ask").addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = $("ask-text").value.trim();
    const name = $("ask-name").value.trim();
    if (asking?.text !== text || asking?.name !== name) asking = { text, name, id: commandId() };
    const { id } = asking;
    const retrying = () => setText($("ask-note"), t("questions.retrying"));
    try {
      const build = (voter) => ({
        type: "ask",
        text,
        ...(name ? { name } : {}),
        ...(voter ? { voter } : {}),
        ...ORIGIN,
        command_id: id,
      });
      const ack = await withVoter(build, retrying, true);
      asking = null;
      mine.set(ack.question.id, { ...ack.question, text, name, votes: 0, asked_at: Date.now() });
      save();
      $("ask-text").value = "";
      count();
      setText($("ask-note"), t(`questions.sent.${ack.question.status}`));
      render();
    } catch (error) {
      if (!UNSURE.has(error.code)) asking = null; // refused: nothing was made
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
