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
    "drift.late": "Running {n} late",
    "drift.early": "{n} ahead",
    "drift.ended.on_time": "Ended on time",
    "drift.ended.late": "Ended {n} late",
    "drift.ended.early": "Ended {n} early",
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
    "console.login.title": "Moderator sign-in",
    "console.login.text":
      "Paste the moderator token, or open the console link that the server printed when it started.",
    "console.login.token": "Moderator token",
    "console.login.submit": "Sign in",
    "console.login.bad": "That token is not the moderator token. Check it and try again.",
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
    "dur.shift": "{sign}{m}",
    "dur.h": "{h} h",
    "dur.hm": "{h} h {m} min",
    "action.set_plan_date": "Set the day",
    "action.hold": "Keep on",
    "change.moved": "moved to {name}",
    "change.pause": "paused the timer",
    "change.resume": "resumed the timer",
    "change.add_time": "changed the time by {d}",
    "change.end_session": "ended the session",
    "change.other": "made a change ({action})",
    "change.undo": "undid {what}",
    "cue.wrap_up": "Please wrap up",
    "cue.stop": "Please stop now",
    "action.cue": "Cue",
    "action.clear_cue": "Clear cue",
    "ready.none": "Not connected",
    "ready.connected": "Connected",
    "ready.ready": "Ready",
    "ready.on": "On",
    "ready.rtt": "RTT {rtt} ms",
    "ready.seen": "seen {t}",
    "action.show_question": "Show question",
    "action.clear_question": "Clear question",
    "action.booth_signal": "Booth signal",
    "questions.heading": "Questions",
    "questions.page_title": "Audience questions",
    "questions.anonymous": "Anonymous",
    "questions.votes": "▲ {n}",
    "questions.status.pending": "Pending",
    "questions.status.approved": "Approved",
    "questions.status.answered": "Answered",
    "questions.status.dismissed": "Dismissed",
    "questions.action.approve": "Approve",
    "questions.action.dismiss": "Dismiss",
    "questions.action.answer": "Answered",
    "questions.action.restore": "Restore",
    "questions.show": "Show on screen",
    "questions.clear": "Clear from screen",
    "questions.token": "Question assistant token",
    "questions.bad_token": "That token is not valid here. Check it, or ask the organiser.",
    "questions.session": "Session",
    "questions.all_sessions": "All sessions",
    "questions.none": "No questions here yet.",
    "questions.on_now": "On now: {who}",
    "questions.none_public": "No questions approved yet.",
    "questions.on_screen": "On screen now",
    "questions.from_audience": "Question from the audience",
    "questions.ask_label": "Ask the speakers a question",
    "questions.name_label": "Your name (optional)",
    "questions.send": "Send question",
    "questions.mine": "Your questions",
    "questions.public": "From the audience",
    "questions.vote": "▲ Vote",
    "questions.voted": "Voted",
    "questions.sent.pending": "Sent. The moderator will see it before it is shown to everyone.",
    "questions.sent.approved": "Sent and shown to everyone.",
    "questions.closed": "Asking is closed: the programme has finished.",
    "questions.retrying": "Not sure it arrived; sending it again…",
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
    "drift.late": "延迟 {n}",
    "drift.early": "提前 {n}",
    "drift.ended.on_time": "按时结束",
    "drift.ended.late": "结束时延迟 {n}",
    "drift.ended.early": "提前 {n} 结束",
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
    "console.login.title": "主持人登录",
    "console.login.text": "请粘贴主持人令牌，或打开服务器启动时打印的控制台链接。",
    "console.login.token": "主持人令牌",
    "console.login.submit": "登录",
    "console.login.bad": "该令牌不是主持人令牌，请检查后重试。",
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
    "dur.shift": "{sign}{m}",
    "dur.h": "{h} 小时",
    "dur.hm": "{h} 小时 {m} 分钟",
    "action.set_plan_date": "设置日期",
    "action.hold": "保持",
    "change.moved": "切换到了 {name}",
    "change.pause": "暂停了计时",
    "change.resume": "继续了计时",
    "change.add_time": "调整了时间 {d}",
    "change.end_session": "结束了本场",
    "change.other": "做了更改（{action}）",
    "change.undo": "撤销了{what}",
    "cue.wrap_up": "请准备结束",
    "cue.stop": "请立即结束",
    "action.cue": "提示",
    "action.clear_cue": "清除提示",
    "ready.none": "未连接",
    "ready.connected": "已连接",
    "ready.ready": "已就绪",
    "ready.on": "发言中",
    "ready.rtt": "往返 {rtt} 毫秒",
    "ready.seen": "最后在线 {t}",
    "action.show_question": "展示提问",
    "action.clear_question": "撤下提问",
    "action.booth_signal": "同传信号",
    "questions.heading": "提问",
    "questions.page_title": "观众提问",
    "questions.anonymous": "匿名",
    "questions.votes": "▲ {n}",
    "questions.status.pending": "待审核",
    "questions.status.approved": "已通过",
    "questions.status.answered": "已回答",
    "questions.status.dismissed": "已忽略",
    "questions.action.approve": "通过",
    "questions.action.dismiss": "忽略",
    "questions.action.answer": "已回答",
    "questions.action.restore": "恢复",
    "questions.show": "在屏幕上展示",
    "questions.clear": "从屏幕撤下",
    "questions.token": "提问助理令牌",
    "questions.bad_token": "该令牌在此无效。请检查，或联系组织者。",
    "questions.session": "场次",
    "questions.all_sessions": "全部场次",
    "questions.none": "暂无提问。",
    "questions.on_now": "正在进行：{who}",
    "questions.none_public": "暂无已通过的提问。",
    "questions.on_screen": "正在屏幕上展示",
    "questions.from_audience": "观众提问",
    "questions.ask_label": "向演讲嘉宾提问",
    "questions.name_label": "您的名字（可选）",
    "questions.send": "发送提问",
    "questions.mine": "我的提问",
    "questions.public": "观众提问",
    "questions.vote": "▲ 赞同",
    "questions.voted": "已赞同",
    "questions.sent.pending": "已发送。主持人审核后才会向所有人展示。",
    "questions.sent.approved": "已发送，并已向所有人展示。",
    "questions.closed": "提问已关闭：会议议程已结束。",
    "questions.retrying": "不确定是否已送达，正在重新发送……",
  },
};

export const LANGS = Object.keys(STRINGS);

/** More labels, for one kind of page only (``labels-console.js``, ...): kept out of this
 * file so that the public pages do not download the console's. Import the module before
 * the page's first ``t``. */
export function addLabels(tables) {
  for (const [language, labels] of Object.entries(tables)) Object.assign(STRINGS[language], labels);
}
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
