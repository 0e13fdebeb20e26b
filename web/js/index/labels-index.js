// The start page's labels in English and Simplified Chinese, added to i18n.js's tables by the
// page that needs them (the public pages do not download them).

import { addLabels } from "../i18n.js";

addLabels({
  en: {
    "index.tagline": "Live session control for hybrid meetings",
    "index.console": "Moderator console",
    "index.console.desc":
      "Run the programme: start sessions, move speakers on, adjust time, send messages. Needs the moderator link with its token.",
    "index.viewer": "Remote viewers",
    "index.viewer.desc": "What is on now, time left and the agenda in your own time zone. Works on a phone.",
    "index.screen": "Venue screen",
    "index.screen.desc": "The big countdown for the speaker on stage, readable from the back of the hall.",
    "index.overlay": "Broadcast overlay",
    "index.overlay.desc": "A transparent lower third with the speaker's name for OBS or vMix.",
    "index.open": "Open",
    "index.rooms": "Rooms on this server",
    "index.private":
      "This event is private: the viewer, screen and overlay pages need the viewer token. Open the link you were given (it ends in #token=…).",
  },
  "zh-CN": {
    "index.tagline": "混合会议的现场议程控制",
    "index.console": "主持人控制台",
    "index.console.desc": "掌控议程：开始会议、切换发言人、调整时间、发送消息。需要带令牌的主持人链接。",
    "index.viewer": "远程观众",
    "index.viewer.desc": "当前议程、剩余时间，以及按您所在时区显示的完整议程。支持手机。",
    "index.screen": "会场大屏",
    "index.screen.desc": "为台上发言人显示的大号倒计时，会场后排也能看清。",
    "index.overlay": "直播字幕条",
    "index.overlay.desc": "透明背景的发言人姓名字幕条，用于 OBS 或 vMix。",
    "index.private": "本次活动不公开：观众页、大屏和字幕条需要观众令牌。请打开您收到的链接（以 #token=… 结尾）。",
    "index.open": "打开",
    "index.rooms": "本服务器上的会场",
  },
});
