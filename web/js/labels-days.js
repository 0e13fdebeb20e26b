// The labels of days and breaks (days.js) in English and Simplified Chinese, added to
// i18n.js's tables by the pages that show them.

import { addLabels } from "./i18n.js";

addLabels({
  en: {
    "day.title": "Day {n} · {date}",
    "break.resume": "{title} — we resume at {t}",
    "break.until": "Break until {t}",
    "break.tag": "Break",
  },
  "zh-CN": {
    "day.title": "第{n}天 · {date}",
    "break.resume": "{title} — {t} 继续",
    "break.until": "休息至 {t}",
    "break.tag": "休息",
  },
});
