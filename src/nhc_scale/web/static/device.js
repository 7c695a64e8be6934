// The phone's side effects: beeps, a buzz, a voice and keeping the screen on. Each degrades
// silently: a missing feature must never cost the user the numbers on screen.

let audio = null;

let speechUnlocked = false;

/**
 * Browsers only let a page make sound after a user gesture, so the AudioContext is created on
 * the first tap anywhere (usually Tare or Start) and reused for every beep; speech is unlocked
 * the same way (an empty utterance, which Chrome on Android asks for).
 */
export function unlockAudioOnFirstGesture() {
  const unlock = () => {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!audio && Context) audio = new Context();
    if (audio && audio.state === "suspended") audio.resume().catch(() => {});
    if (!speechUnlocked && "speechSynthesis" in window && window.SpeechSynthesisUtterance) {
      speechUnlocked = true;
      try {
        window.speechSynthesis.speak(new window.SpeechSynthesisUtterance(""));
      } catch {
        // No voice: the numbers are on screen.
      }
    }
  };
  window.addEventListener("pointerdown", unlock, { passive: true });
  window.addEventListener("keydown", unlock);
}

function tone(frequency, startS, lengthS) {
  const oscillator = audio.createOscillator();
  const gain = audio.createGain();
  const at = audio.currentTime + startS;
  oscillator.frequency.value = frequency;
  gain.gain.setValueAtTime(0.0001, at);
  gain.gain.exponentialRampToValueAtTime(0.4, at + 0.01);
  gain.gain.exponentialRampToValueAtTime(0.0001, at + lengthS);
  oscillator.connect(gain).connect(audio.destination);
  oscillator.start(at);
  oscillator.stop(at + lengthS + 0.01);
}

const BEEPS = {
  rep: [[1320, 0, 0.15]], // a short high beep: audible from the floor, too short to annoy
  effort: [[880, 0, 0.08]], // lower and shorter: the minimum is being sought
  best: [
    [1320, 0, 0.12],
    [1760, 0.16, 0.18],
  ], // rising pair: a new best
};

/** `kind`: "rep" (a rep ended, without voice), "effort" (an effort started), "best". */
export function beep(kind = "rep") {
  if (!audio || audio.state !== "running") return;
  for (const [frequency, start, length] of BEEPS[kind] || BEEPS.rep) tone(frequency, start, length);
}

/**
 * Says `text` aloud with the phone's own voice (the Web Speech API: offline voices on Android
 * and iOS), cutting off anything still being said: the newest result is the one that matters.
 */
export function speak(text) {
  const synth = window.speechSynthesis;
  if (!synth || !window.SpeechSynthesisUtterance) return;
  try {
    synth.cancel();
    const utterance = new window.SpeechSynthesisUtterance(text);
    utterance.lang = document.documentElement.lang || "en";
    synth.speak(utterance);
  } catch {
    // No voice available: the numbers are on screen.
  }
}

export function buzz() {
  // Like sound, vibration needs a tap on the page first; asking earlier only logs an error.
  const activation = navigator.userActivation;
  if (activation && !activation.hasBeenActive) return;
  if (navigator.vibrate) navigator.vibrate(150);
}

/**
 * Keeps the screen on while `wanted()` is true. The browser drops the lock whenever the page is
 * hidden, so it is requested again when the page comes back. Unsupported (or refused, as on plain
 * http from another machine, which is not a secure context): nothing happens.
 */
export class ScreenKeeper {
  constructor(wanted) {
    this.wanted = wanted;
    this.lock = null;
    document.addEventListener("visibilitychange", () => this.update());
  }

  async update() {
    if (!("wakeLock" in navigator)) return;
    const want = this.wanted() && document.visibilityState === "visible";
    if (want && !this.lock) {
      try {
        this.lock = await navigator.wakeLock.request("screen");
        this.lock.addEventListener("release", () => {
          this.lock = null;
        });
      } catch {
        this.lock = null;
      }
    } else if (!want && this.lock) {
      const lock = this.lock;
      this.lock = null;
      lock.release().catch(() => {});
    }
  }
}
