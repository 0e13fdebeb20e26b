// The landing page: the event, and a link to each face (for this room).

import { lang, langButton, onLang, translate } from "../i18n.js";
import "./labels-index.js"; // before any label is read
import { apiUrl, loadProgramme, readHeaders, roomId, takeToken } from "../connection.js";
import { setText, show } from "../podium.js";

const $ = (id) => document.getElementById(id);

function longDate(iso, zone) {
  return new Intl.DateTimeFormat(lang === "zh-CN" ? "zh-CN" : "en-GB", {
    dateStyle: "full",
    timeZone: zone,
  }).format(new Date(`${iso}T12:00:00Z`));
}

function renderEvent(programme) {
  setText($("event-title"), programme.title);
  setText($("event-theme"), programme.theme || programme.subtitle);
  const facts = [programme.venue, longDate(programme.date, "UTC"), programme.timezone];
  setText($("event-facts"), facts.filter(Boolean).join(" · "));
  document.title = `${programme.title} · Podium`;
}

async function renderRooms() {
  const response = await fetch("/api/rooms", { headers: readHeaders() });
  if (!response.ok) return; // a private event, and this tab has no token
  const rooms = await response.json();
  show($("rooms"), rooms.length > 1);
  $("room-links").replaceChildren(
    ...rooms.map((room) => {
      const link = document.createElement("a");
      link.href = `/?room=${encodeURIComponent(room.id)}`;
      link.textContent = room.title;
      if (room.id === roomId) link.setAttribute("aria-current", "page");
      return link;
    }),
  );
}

for (const link of document.querySelectorAll("a.face")) {
  link.href = apiUrl(`/${link.dataset.face}`).pathname + apiUrl("/").search;
}
translate();
langButton($("lang"));
takeToken();
fetch("/api/access")
  .then((response) => response.json())
  .then(({ private: isPrivate }) => {
    show($("private"), isPrivate);
    if (isPrivate && !readHeaders().Authorization) return; // nothing to show without a token
    loadProgramme().then((programme) => {
      renderEvent(programme);
      onLang(() => renderEvent(programme));
    });
    renderRooms();
  });
