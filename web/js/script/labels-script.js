// The script view's labels (script-view.js: the speaker's page, the console, the booth) in
// English and Simplified Chinese, added to i18n.js's tables by the pages that open it.

import { addLabels } from "../i18n.js";

addLabels({
  en: {
    "script.title": "Script: {name}",
    "script.open": "Script",
    "script.play": "Scroll",
    "script.pause": "Pause",
    "script.speed": "Speed",
    "script.mirror": "Mirror",
    "script.close": "Close",
    "script.hint": "Tap the text to pause or go on.",
    "script.failed": "The script could not be read: {message}",
  },
  "zh-CN": {
    "script.title": "讲稿：{name}",
    "script.open": "讲稿",
    "script.play": "滚动",
    "script.pause": "暂停",
    "script.speed": "速度",
    "script.mirror": "镜像",
    "script.close": "关闭",
    "script.hint": "点击文字可暂停或继续。",
    "script.failed": "无法读取讲稿：{message}",
  },
});
