// The labels of live captions, the stream's delay and where a question comes from, in
// English and Simplified Chinese, added to i18n.js's tables by the modules that use them.

import { addLabels } from "./i18n.js";

addLabels({
  en: {
    "captions.button": "CC",
    "captions.on": "Captions on",
    "captions.off": "Captions off",
    "captions.label": "Live captions",
    "captions.waiting": "Captions appear here as the words are spoken.",
    "delay.label": "Stream delay",
    "delay.seconds": "{n} s",
    "delay.none": "Live (no delay)",
    "delay.matched": "Matched to the stream, {n} s behind",
    "delay.help": "If your video runs behind the room, set its delay: the countdown and who is speaking then match what you see.",
    "origin.room": "Room",
    "origin.remote": "Remote",
    "origin.all": "All",
    "origin.balance": "room {room} · remote {remote}",
    "origin.filter": "Where questions come from",
    "screen.ask_qr": "Ask the speakers a question: scan",
  },
  "zh-CN": {
    "captions.button": "字幕",
    "captions.on": "字幕已开",
    "captions.off": "字幕已关",
    "captions.label": "实时字幕",
    "captions.waiting": "发言时，字幕会显示在这里。",
    "delay.label": "直播延迟",
    "delay.seconds": "{n} 秒",
    "delay.none": "实时（无延迟）",
    "delay.matched": "已与直播同步，延后 {n} 秒",
    "delay.help": "如果您观看的视频比会场慢，请设置延迟：倒计时和发言人将与您看到的画面一致。",
    "origin.room": "现场",
    "origin.remote": "远程",
    "origin.all": "全部",
    "origin.balance": "现场 {room} · 远程 {remote}",
    "origin.filter": "提问来源",
    "screen.ask_qr": "扫码向发言人提问",
  },
});
