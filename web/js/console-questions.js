// The console's questions panel: the live session's questions (or all), most voted and
// newest first, to approve, dismiss, mark answered, restore, and put on the screens
// (show_question) or take off (clear_question): those two are timing commands.

import { setText, show } from "./podium.js";
import { Questions, renderBoard } from "./question-list.js";

const $ = (id) => document.getElementById(id);

export class QuestionDesk {
  constructor(live) {
    this.live = live;
    this.questions = new Questions(live, { token: live.token, onChange: () => this.render() });
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
    const session = $("questions-all").checked ? null : (state?.session?.id ?? null);
    const listed = this.questions.ranked((q) => !session || q.session_id === session);
    const shownId = state?.question?.id ?? null;
    renderBoard($("questions-list"), listed, { act: (q, a) => this.act(q, a), shownId, canShow: true });
    show($("questions-empty"), listed.length === 0);
    show($("questions-clear"), Boolean(shownId));
  }

  async act(q, action) {
    try {
      if (action === "show_question") await this.live.command({ action, question_id: q.id });
      else if (action === "clear_question") await this.live.command({ action });
      else await this.questions.moderate(q.id, action);
      show($("questions-error"), false);
    } catch (error) {
      setText($("questions-error"), error.message);
      show($("questions-error"), true);
    }
  }
}
