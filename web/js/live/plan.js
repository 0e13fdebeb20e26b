// The running plan a page holds: the programme as it is now, not as the page found it. A
// change of the plan comes as one ``programme`` message just before the state of its
// version; a page that missed it (a dropped link, a frame lost) notices a state whose
// ``plan_revision`` is newer than the programme it holds and asks ``/api/programme`` once.
// The page is handed the new programme just before it draws the state that refers to it,
// so a name, a speaker's row and their status always come from the same revision.

import { apiUrl, applyBranding, loadProgramme, readHeaders } from "../connection.js";

const revisionOf = (programme) => programme?.revision ?? 0;

/** Call ``use(programme)`` with the programme (``initial``, else ``loadProgramme()``), then
 * with each new revision of the plan, before the page's own listeners see the state of
 * that revision. */
export function followPlan(live, use, initial = null) {
  let held = null; // the programme handed to the page
  let waiting = null; // a newer one, waiting for the state of its version
  let asking = false;
  let askedFor = 0; // the newest plan_revision asked for: once each

  const newest = () => Math.max(revisionOf(held), revisionOf(waiting));

  /** Hand ``waiting`` to the page once the state has caught up with it (a state without
   * ``plan_revision``, from a server that does not say, takes it at once). */
  const settle = () => {
    if (!waiting) return;
    const seen = live.state?.plan_revision;
    if (held && seen !== undefined && seen < revisionOf(waiting)) return;
    held = waiting;
    waiting = null;
    applyBranding(held);
    use(held);
  };

  const offer = (programme) => {
    if (held && revisionOf(programme) <= newest()) return;
    waiting = programme;
    settle();
  };

  const askOnce = async (revision) => {
    if (asking || revision <= askedFor) return;
    asking = true;
    askedFor = revision;
    try {
      const response = await fetch(apiUrl("/api/programme"), { headers: readHeaders() });
      if (!response.ok) return;
      const programme = await response.json();
      live.takeProgramme(programme); // the states' texts (delta.js's hydrate) too
      offer(programme);
    } catch {
      askedFor = 0; // the network: the next state asks again
    } finally {
      asking = false;
    }
  };

  live.on("programme", (message) => offer(message.programme));
  live.on(
    "state",
    (state) => {
      if (!held) return;
      settle();
      const revision = state.plan_revision ?? 0;
      if (revision > newest()) askOnce(revision); // a programme message missed
    },
    { first: true },
  );
  const start = (programme) => {
    if (held) return; // a newer revision came over the socket meanwhile
    waiting = null;
    held = programme;
    use(programme);
    const revision = live.state?.plan_revision ?? 0;
    if (revision > revisionOf(programme)) askOnce(revision);
  };
  if (initial) start(initial);
  else loadProgramme().then(start);
}
