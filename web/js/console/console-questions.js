// The console's questions panel: the live session's questions (or all), most voted and
// newest first, to approve, dismiss, mark answered, restore, and put on the screens
// (show_question) or take off (clear_question): those two are timing commands, sent by the
// console's one command path (its id, its queue, the feedback line).

import { setText, show } from "../podium.js";
import { OriginFilter, Questions, renderBoard } from "../question-list.js";

const $ = (id) => document.getElementById(id);

export class QuestionDesk {
  /** ``commands``: the console's ``Commands``. */
  constructor(live, commands) {
    this.live = live;
    this.commands = commands;
    this.questions = new Questions(live, { token: live.token, onChange: () => this.render() });
    this.origins = new OriginFilter($("questions-origin"), () => this.render());
    live.on("auth", (role) => {
      if (role !== "moderator") return;
      this.questions.token = live.token;
      this.questions.reload();
    });
    live.on("state", () => this.render());
    $("questions-all").addEventListener("change", () => this.render());
    $("questions-clear").addEventListener("click", () => this.act(null, "clear_question"));
  }

  render() {
    const state = this.live.state;
    const shown = state?.question ?? null;
    const session = $("questions-all").checked ? null : (state?.session?.id ?? null);
    // the one on screen is listed whatever its session
    const inView = (q) => !session || q.session_id === session || q.id === shown?.id;
    this.origins.render(this.questions.ranked(inView));
    const listed = this.questions.ranked((q) => inView(q) && this.origins.accepts(q));
    renderBoard($("questions-list"), listed, {
      act: (q, a) => this.act(q, a),
      shownId: shown?.id ?? null,
      canShow: true,
    });
    const empty = listed.length === 0 && !shown;
    show($("questions-empty"), empty);
    $("questions-panel").classList.toggle("is-empty", empty);
    show($("questions-clear"), Boolean(shown));
  }

  async act(q, action) {
    if (action === "show_question") return this.commands.run({ action, question_id: q.id });
    if (action === "clear_question") return this.commands.run({ action });
    try {
      await this.questions.moderate(q.id, action);
      show($("questions-error"), false);
    } catch (error) {
      setText($("questions-error"), error.message);
      show($("questions-error"), true);
    }
    return null;
  }
}
