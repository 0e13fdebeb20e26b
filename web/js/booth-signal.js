// The interpreters' booth's sign to the speaker on stage ("slow down", "louder", "no
// sound"), as the console, the venue screen and the speaker's page show it: in the
// speaker's floor language (the state says which), from the moment it is pushed until its
// ``until`` (15 s after it was sent) or until the speaker changes (the state then carries
// none). One timer to its end, derived from its stored ``at``: nothing counts ticks.

const WORDS = {
  en: {
    slow_down: "Please slow down",
    louder: "Please speak louder",
    no_sound: "No sound: check the microphone",
  },
  zh: {
    slow_down: "请放慢语速",
    louder: "请大声一点",
    no_sound: "没有声音：请检查麦克风",
  },
};

/** The signal in ``language`` (a tag such as "zh" or "en"; English where we have none). */
export function signalWords(signal, language) {
  const table = WORDS[String(language ?? "").split("-")[0]] ?? WORDS.en;
  return table[signal] ?? signal;
}

/** Show ``live.state.booth_signal`` in ``node`` while it lasts; ``only()`` (optional) names
 * the one speaker this page is for (a speaker's page shows only their own). ``also(lang)``
 * (optional) gives a language for a second, smaller line (the console's own language). */
export function signalBanner(node, live, { only = null, also = null } = {}) {
  let timer = null;
  const render = () => {
    const signal = live.state?.booth_signal ?? null;
    const left = signal ? signal.until - live.clock.now() : 0;
    const mine = signal && (!only || only() === signal.speaker_id);
    clearTimeout(timer);
    node.hidden = !(mine && left > 0);
    document.body.dataset.boothSignal = node.hidden ? "" : signal.signal;
    if (node.hidden) return;
    node.dataset.signal = signal.signal;
    node.lang = signal.language;
    const main = signalWords(signal.signal, signal.language);
    const other = also ? signalWords(signal.signal, also()) : main;
    node.textContent = other === main ? main : `${main} · ${other}`;
    timer = setTimeout(render, left);
  };
  live.on("state", render);
  return render;
}
