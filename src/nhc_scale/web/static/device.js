// The phone's side effects: a beep, a buzz and keeping the screen on. Each degrades silently:
// a missing feature must never cost the user the numbers on screen.

let audio = null;

/**
 * Browsers only let a page make sound after a user gesture, so the AudioContext is created on
 * the first tap anywhere (usually Tare or Start) and reused for every beep.
 */
export function unlockAudioOnFirstGesture() {
  const unlock = () => {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!audio && Context) audio = new Context();
    if (audio && audio.state === "suspended") audio.resume().catch(() => {});
  };
  window.addEventListener("pointerdown", unlock, { passive: true });
  window.addEventListener("keydown", unlock);
}

/** A short high beep: audible from the floor over breathing, too short to be annoying. */
export function beep() {
  if (!audio || audio.state !== "running") return;
  const oscillator = audio.createOscillator();
  const gain = audio.createGain();
  const now = audio.currentTime;
  oscillator.frequency.value = 1320;
  gain.gain.setValueAtTime(0.0001, now);
  gain.gain.exponentialRampToValueAtTime(0.4, now + 0.01);
  gain.gain.exponentialRampToValueAtTime(0.0001, now + 0.15);
  oscillator.connect(gain).connect(audio.destination);
  oscillator.start(now);
  oscillator.stop(now + 0.16);
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
