// Labels in English and Simplified Chinese. Names from the programme are never translated.
// The language follows ?lang=, then the last choice made here, then the browser.

const STRINGS = {
  en: {
    "app.name": "Podium",
    "lang.switch": "中文",
    "lang.switch.label": "切换到中文",
    "status.connecting": "Connecting…",
    "page.private":
      "This event is private. Open the link you were given: it ends in #token=…",
    "status.live": "Live",
    "status.reconnecting": "Reconnecting…",
    "status.offset": "offset {offset} ms",
    "status.rtt": "RTT {rtt} ms",
    "status.title": "Connection to the Podium server; clock offset and round trip",
    "phase.idle": "No session is live",
    "phase.finished": "The programme has finished",
    "phase.idle.short": "Waiting to start",
    "drift.on_time": "On time",
    "drift.late": "Running {n} min late",
    "drift.early": "{n} min ahead",
    "state.done": "Done",
    "state.live": "Live",
    "state.next": "Next",
    "state.upcoming": "Upcoming",
    "state.skipped": "Skipped",
    "state.paused": "Paused",
    "presence.in_room": "In the room",
    "presence.remote": "Remote",
    "presence.recorded": "Recorded",
    "label.now": "Now",
    "label.speaking": "Speaking now",
    "label.speaking.recorded": "Recorded speech",
    "label.speaking.remote": "Speaking remotely",
    "label.next": "Next",
    "label.next_speaker": "Next speaker",
    "label.time_left": "Time left",
    "label.session_left": "Session",
    "label.session_time": "Session slot",
    "label.speaker_time": "Speaker time",
    "label.agenda": "Agenda",
    "label.rundown": "Rundown",
    "label.planned": "Planned",
    "label.projected": "Expected",
    "label.actual": "Actual",
    "label.your_time": "your time",
    "label.event_time": "event time",
    "label.moderators": "Moderated by",
    "label.message": "Message",
    "label.speakers": "{n} speakers",
    "label.last_speaker": "Last speaker",
    "label.overtime": "Over time",
    "label.added": "{m} added",
    "label.of": "of {t}",
    "label.speaker_n": "Speaker {i} of {n}",
    "label.ran": "Ran {t}",
    "label.started": "Started {t}",
    "label.slot_ends": "slot ends {t}",
    "label.projected_end": "projected end {t}",
    "viewer.title": "Live programme",
    "viewer.announce": "Now speaking: {name}",
    "viewer.upnext": "Next: {title}, expected at {t}",
    "viewer.announce_aff": "Now speaking: {name}, {aff}",
    "viewer.announce_none": "No one is speaking",
    "viewer.zone_note": "Times in {event} (event) and {local} (yours)",
    "viewer.zone_same": "Times in {event}",
    "screen.fullscreen": "Full screen",
    "screen.exit_fullscreen": "Exit full screen",
    "screen.waiting": "Waiting for the next session",
    "screen.finished": "Thank you",
    "screen.local_time": "Local time",
    "screen.next": "Next: {name}",
    "screen.session_left": "Session {t}",
    "screen.session_over": "Session +{t}",
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
    "console.title": "Moderator console",
    "console.login.title": "Moderator sign-in",
    "console.login.text":
      "Paste the moderator token, or open the console link that the server printed when it started.",
    "console.login.token": "Moderator token",
    "console.login.submit": "Sign in",
    "console.login.bad": "That token is not the moderator token. Check it and try again.",
    "console.signout": "Sign out",
    "console.start": "Start session",
    "console.start.live": "“{title}” is live: end it first (E), or click a session in the rundown.",
    "console.next": "Next speaker",
    "console.previous": "Previous",
    "console.pause": "Pause",
    "console.resume": "Resume",
    "console.plus": "+1 min",
    "console.minus": "−1 min",
    "console.end": "End session",
    "console.undo": "Undo",
    "console.blackout": "Blackout",
    "console.blackout_off": "Screen back on",
    "console.report": "Report",
    "console.message.placeholder": "Message to the stage screen or the viewers",
    "console.message.send": "Send",
    "console.message.clear": "Clear message",
    "console.message.to": "To",
    "console.target.screen": "Stage screen",
    "console.target.viewers": "Viewers",
    "console.target.all": "Both",
    "console.message.showing": "Showing to {target}: ",
    "console.shortcuts": "Keyboard shortcuts",
    "console.keys.start": "Start the next session",
    "console.keys.next": "Next speaker",
    "console.keys.previous": "Previous speaker",
    "console.keys.pause": "Pause / resume",
    "console.keys.plus": "Add one minute",
    "console.keys.minus": "Remove one minute",
    "console.keys.end": "End the session",
    "console.keys.undo": "Undo the last action",
    "console.keys.blackout": "Blackout on / off",
    "console.keys.message": "Write a message",
    "console.keys.clear": "Clear the message",
    "console.keys.help": "Show or hide this list",
    "console.confirm": "Confirm",
    "console.cancel": "Cancel",
    "console.confirm.start": "Start “{title}” now?",
    "console.confirm.switch": "“{live}” is live. End it and start “{title}”?",
    "console.confirm.goto": "Put {name} on now?",
    "console.confirm.switch_goto": "“{live}” is live. End it and put {name} on?",
    "console.confirm.end": "End “{title}” now?",
    "console.done": "{action} done",
    "console.conflict":
      "Another moderator acted first: the programme changed to version {v} before your “{action}” arrived, so it was not applied.",
    "console.conflict.now": "Now: {now}.",
    "console.conflict.again": "Look, then press again if it is still needed.",
    "console.error": "Not done: {message}",
    "console.offline": "Not connected to the server; your “{action}” was not sent. Wait for “Live”, then try again.",
    "console.no_session": "nothing is live",
    "console.report.failed": "The report could not be made: {message}",
    "console.report.blocked": "The browser blocked the report window; allow pop-ups for this page.",
    "console.slot": "Slot",
    "console.drift": "Drift",
    "console.click_to_jump": "Click a session or a speaker to jump there.",
    "action.start_session": "Start session",
    "action.next": "Next",
    "action.previous": "Previous",
    "action.goto": "Jump",
    "action.pause": "Pause",
    "action.resume": "Resume",
    "action.add_time": "Change time",
    "action.end_session": "End session",
    "action.show_message": "Send message",
    "action.clear_message": "Clear message",
    "action.blackout": "Blackout",
    "action.undo": "Undo",
    "overlay.title": "Broadcast overlay",
    "dur.s": "{s} s",
    "dur.m": "{m} min",
    "dur.ms": "{m} min {s} s",
    "dur.shift": "{sign}{m} min",
  },
  "zh-CN": {
    "app.name": "Podium",
    "lang.switch": "English",
    "lang.switch.label": "Switch to English",
    "status.connecting": "正在连接…",
    "page.private": "本次活动不公开。请打开您收到的链接（以 #token=… 结尾）。",
    "status.live": "已连接",
    "status.reconnecting": "正在重新连接…",
    "status.offset": "时差 {offset} 毫秒",
    "status.rtt": "往返 {rtt} 毫秒",
    "status.title": "与 Podium 服务器的连接；时钟偏差与往返时间",
    "phase.idle": "当前没有进行中的会议",
    "phase.finished": "议程已全部结束",
    "phase.idle.short": "等待开始",
    "drift.on_time": "按时进行",
    "drift.late": "延迟 {n} 分钟",
    "drift.early": "提前 {n} 分钟",
    "state.done": "已结束",
    "state.live": "进行中",
    "state.next": "下一场",
    "state.upcoming": "稍后",
    "state.skipped": "已跳过",
    "state.paused": "已暂停",
    "presence.in_room": "现场",
    "presence.remote": "远程",
    "presence.recorded": "录播",
    "label.now": "现在",
    "label.speaking": "正在发言",
    "label.speaking.recorded": "录播发言",
    "label.speaking.remote": "远程发言",
    "label.next": "下一位",
    "label.next_speaker": "下一位发言人",
    "label.time_left": "剩余时间",
    "label.session_left": "本场",
    "label.session_time": "本场剩余",
    "label.speaker_time": "发言时间",
    "label.agenda": "议程",
    "label.rundown": "流程",
    "label.planned": "计划",
    "label.projected": "预计",
    "label.actual": "实际",
    "label.your_time": "您的时间",
    "label.event_time": "会场时间",
    "label.moderators": "主持人",
    "label.message": "消息",
    "label.speakers": "{n} 位发言人",
    "label.last_speaker": "最后一位发言人",
    "label.overtime": "已超时",
    "label.added": "已加 {m}",
    "label.of": "共 {t}",
    "label.speaker_n": "第 {i} 位，共 {n} 位",
    "label.ran": "实际 {t}",
    "label.started": "{t} 开始",
    "label.slot_ends": "时段 {t} 结束",
    "label.projected_end": "预计 {t} 结束",
    "viewer.title": "会议直播议程",
    "viewer.announce": "正在发言：{name}",
    "viewer.upnext": "下一场：{title}，预计 {t} 开始",
    "viewer.announce_aff": "正在发言：{name}，{aff}",
    "viewer.announce_none": "目前无人发言",
    "viewer.zone_note": "时间：{event}（会场）与 {local}（您所在地）",
    "viewer.zone_same": "时间：{event}",
    "screen.fullscreen": "全屏",
    "screen.exit_fullscreen": "退出全屏",
    "screen.waiting": "请稍候，下一场即将开始",
    "screen.finished": "谢谢",
    "screen.local_time": "当地时间",
    "screen.next": "下一位：{name}",
    "screen.session_left": "本场 {t}",
    "screen.session_over": "本场超时 +{t}",
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
    "console.title": "主持人控制台",
    "console.login.title": "主持人登录",
    "console.login.text": "请粘贴主持人令牌，或打开服务器启动时打印的控制台链接。",
    "console.login.token": "主持人令牌",
    "console.login.submit": "登录",
    "console.login.bad": "该令牌不是主持人令牌，请检查后重试。",
    "console.signout": "退出",
    "console.start": "开始会议",
    "console.start.live": "“{title}”正在进行：请先结束本场（E），或在流程中点击要开始的会议。",
    "console.next": "下一位发言人",
    "console.previous": "上一位",
    "console.pause": "暂停",
    "console.resume": "继续",
    "console.plus": "+1 分钟",
    "console.minus": "−1 分钟",
    "console.end": "结束本场",
    "console.undo": "撤销",
    "console.blackout": "黑屏",
    "console.blackout_off": "恢复大屏",
    "console.report": "报告",
    "console.message.placeholder": "发给会场大屏或观众的消息",
    "console.message.send": "发送",
    "console.message.clear": "清除消息",
    "console.message.to": "发送到",
    "console.target.screen": "会场大屏",
    "console.target.viewers": "观众",
    "console.target.all": "全部",
    "console.message.showing": "正在向{target}显示：",
    "console.shortcuts": "键盘快捷键",
    "console.keys.start": "开始下一场会议",
    "console.keys.next": "下一位发言人",
    "console.keys.previous": "上一位发言人",
    "console.keys.pause": "暂停 / 继续",
    "console.keys.plus": "增加一分钟",
    "console.keys.minus": "减少一分钟",
    "console.keys.end": "结束本场",
    "console.keys.undo": "撤销上一步",
    "console.keys.blackout": "开 / 关黑屏",
    "console.keys.message": "输入消息",
    "console.keys.clear": "清除消息",
    "console.keys.help": "显示或隐藏此列表",
    "console.confirm": "确定",
    "console.cancel": "取消",
    "console.confirm.start": "现在开始“{title}”？",
    "console.confirm.switch": "“{live}”正在进行。结束它并开始“{title}”？",
    "console.confirm.goto": "现在请 {name} 发言？",
    "console.confirm.switch_goto": "“{live}”正在进行。结束它并请 {name} 发言？",
    "console.confirm.end": "现在结束“{title}”？",
    "console.done": "{action}：已完成",
    "console.conflict":
      "另一位主持人已先操作：在您的“{action}”到达之前，议程已更新到第 {v} 版，因此您的操作没有执行。",
    "console.conflict.now": "现在：{now}。",
    "console.conflict.again": "请确认后如仍需要再按一次。",
    "console.error": "未执行：{message}",
    "console.offline": "未连接到服务器，您的“{action}”没有发送。请等到显示“已连接”后重试。",
    "console.no_session": "当前没有进行中的会议",
    "console.report.failed": "无法生成报告：{message}",
    "console.report.blocked": "浏览器阻止了报告窗口，请允许此页面弹出窗口。",
    "console.slot": "时段",
    "console.drift": "偏差",
    "console.click_to_jump": "点击会议或发言人即可跳转。",
    "action.start_session": "开始会议",
    "action.next": "下一位",
    "action.previous": "上一位",
    "action.goto": "跳转",
    "action.pause": "暂停",
    "action.resume": "继续",
    "action.add_time": "调整时间",
    "action.end_session": "结束本场",
    "action.show_message": "发送消息",
    "action.clear_message": "清除消息",
    "action.blackout": "黑屏",
    "action.undo": "撤销",
    "overlay.title": "直播字幕条",
    "dur.s": "{s} 秒",
    "dur.m": "{m} 分钟",
    "dur.ms": "{m} 分 {s} 秒",
    "dur.shift": "{sign}{m} 分钟",
  },
};

export const LANGS = Object.keys(STRINGS);
/** Each kind of page keeps its own choice: the console switched to Chinese on a laptop
 * leaves the venue screen in the next window as it was. */
const STORE_KEY = `podium.lang.${location.pathname.split("/").pop() || "index"}`;
const listeners = new Set();

function pick() {
  const asked = new URLSearchParams(location.search).get("lang");
  let saved = null;
  try {
    saved = localStorage.getItem(STORE_KEY);
  } catch {
    // storage may be off (private mode, sandboxed browser source): follow the browser
  }
  for (const candidate of [asked, saved, ...(navigator.languages || [navigator.language])]) {
    if (!candidate) continue;
    if (candidate in STRINGS) return candidate;
    if (candidate.toLowerCase().startsWith("zh")) return "zh-CN";
    if (candidate.toLowerCase().startsWith("en")) return "en";
  }
  return "en";
}

export let lang = pick();

/** The label for ``key`` in the current language, with ``{name}`` placeholders filled. */
export function t(key, vars = {}) {
  const text = STRINGS[lang][key] ?? STRINGS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

/** Fill every ``data-i18n`` element (and ``data-i18n-title``/``-placeholder``/``-label``). */
export function translate(root = document) {
  document.documentElement.lang = lang;
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-title]")) el.title = t(el.dataset.i18nTitle);
  for (const el of root.querySelectorAll("[data-i18n-placeholder]")) {
    el.placeholder = t(el.dataset.i18nPlaceholder);
  }
  for (const el of root.querySelectorAll("[data-i18n-label]")) {
    el.setAttribute("aria-label", t(el.dataset.i18nLabel));
  }
}

export function setLang(next) {
  lang = next in STRINGS ? next : "en";
  try {
    localStorage.setItem(STORE_KEY, lang);
  } catch {
    // not kept: the choice lasts for this page only
  }
  translate();
  for (const fn of listeners) fn(lang);
}

/** Call ``fn`` after every language switch (pages re-render their dynamic text). */
export function onLang(fn) {
  listeners.add(fn);
}

/** Make ``button`` switch between the two languages. */
export function langButton(button) {
  const label = () => {
    button.textContent = t("lang.switch");
    button.setAttribute("aria-label", t("lang.switch.label"));
    button.lang = lang === "en" ? "zh-CN" : "en";
  };
  label();
  onLang(label);
  button.addEventListener("click", () => setLang(lang === "en" ? "zh-CN" : "en"));
}
