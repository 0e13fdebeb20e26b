// Times as a remote viewer or speaker reads them: in the event's zone, and in their own as
// well when it shows another time ("09:35 (02:35 CET)"), as the viewer's agenda does.

import { lang } from "./i18n.js";
import { browserZone, timeOfDay, zoneName } from "./podium.js";

export const localZone = browserZone();

/** Whether the viewer's zone shows another wall-clock time than the event's ``zone``. */
export function otherZone(zone, at) {
  return timeOfDay(at, zone) !== timeOfDay(at, localZone);
}

/** ``at`` (or ``at``–``until``) in the event's ``zone``, then in the viewer's with its name
 * in brackets when that differs: "09:35 (02:35 CET)", "09:00–09:30 (02:00–02:30 CET)". */
export function inBothZones(zone, at, until = null) {
  const when = (z) =>
    until === null
      ? timeOfDay(at, z, { lang })
      : `${timeOfDay(at, z, { lang })}–${timeOfDay(until, z, { lang })}`;
  return otherZone(zone, at) ? `${when(zone)} (${when(localZone)} ${zoneName(localZone, at)})` : when(zone);
}
