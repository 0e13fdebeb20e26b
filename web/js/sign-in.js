// A staff page's sign-in (the question assistant's, the interpreters' booth): the form
// (#login, #token, #login-error) shows until the server grants the token one of the page's
// roles; a wrong token is forgotten and said; a token typed in is kept for this tab.

import { keepToken } from "./connection.js";
import { show } from "./podium.js";

const $ = (id) => document.getElementById(id);

/** Sign ``live`` in for ``roles``; ``given(token)`` hears a typed-in token, ``granted()``
 * each grant. Returns the function that shows the page (true) or the form (false). */
export function signIn(live, roles, { given = () => {}, granted = () => {} } = {}) {
  const shown = (ok) => {
    show($("login"), !ok);
    show($("main"), ok);
  };
  live.on("auth", (role) => {
    const ok = roles.includes(role);
    shown(ok);
    if (ok) granted();
  });
  live.on("error", (error) => {
    if (error.code === "unauthorized") {
      keepToken(null);
      shown(false);
      show($("login-error"), true);
    }
  });
  $("login").addEventListener("submit", (event) => {
    event.preventDefault();
    const token = $("token").value.trim();
    keepToken(token);
    given(token);
    live.authenticate(token);
  });
  return shown;
}
