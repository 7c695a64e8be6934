// The live stream (GET /api/live, Server-Sent Events) and keeping it alive.
//
// EventSource retries by itself after a dropped connection, but not always: an HTTP error or a
// wrong content type during a retry closes it for good, and a connection that a Wi-Fi roam left
// half-open looks "open" while nothing arrives. The server sends a status event every 2 s, so
// silence for STALE_MS means the stream is dead whatever readyState says: we then throw the
// EventSource away and make a new one, backing off so that a scale that is really off is not
// hammered by every phone in the room.
//
// Saying so comes sooner than reopening: with the sensor working, sample events arrive ~50 times
// a second, so 1.5 s of silence means the scale is gone (a dead server, a Wi-Fi drop) and the
// page says it at once rather than showing the last numbers as if live. Without samples (the
// sensor gives no data) only the status every 2 s is expected, and silence must last longer.

const QUIET_WITH_SAMPLES_MS = 1500;
const QUIET_WITHOUT_SAMPLES_MS = 4500;
const STALE_MS = 5000;
const CHECK_MS = 250;
const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 15000;

export class LiveStream {
  /**
   * @param {string} url
   * @param {{sample: Function, rep: Function, status: Function, connection: Function}} handlers
   *   `connection` gets "connecting" | "live" | "reconnecting".
   */
  constructor(url, handlers) {
    this.url = url;
    this.handlers = handlers;
    this.source = null;
    this.lastEventAt = 0;
    this.lastSampleAt = 0;
    this.retryMs = FIRST_RETRY_MS;
    this.retryTimer = null;
    this.connection = "";
    this.watchdog = null;
  }

  start() {
    this.open("connecting");
    this.watchdog = setInterval(() => this.checkStale(), CHECK_MS);
    // A phone waking up or rejoining the Wi-Fi should not wait for the next watchdog tick.
    window.addEventListener("online", () => this.reconnectNow());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this.checkStale();
    });
  }

  open(connection) {
    this.close();
    this.setConnection(connection);
    this.lastEventAt = Date.now();
    const source = new EventSource(this.url);
    source.addEventListener("sample", (event) => this.dispatch("sample", event));
    source.addEventListener("rep", (event) => this.dispatch("rep", event));
    source.addEventListener("status", (event) => this.dispatch("status", event));
    source.addEventListener("error", () => this.onError(source));
    this.source = source;
  }

  close() {
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.source) this.source.close();
    this.source = null;
  }

  dispatch(kind, event) {
    this.lastEventAt = Date.now();
    if (kind === "sample") this.lastSampleAt = this.lastEventAt;
    this.retryMs = FIRST_RETRY_MS; // data flows again: the next drop starts from a short wait
    this.setConnection("live");
    let data;
    try {
      data = JSON.parse(event.data);
    } catch {
      return; // a malformed event is skipped, not allowed to stop the stream
    }
    this.handlers[kind](data);
  }

  onError(source) {
    if (source !== this.source) return;
    this.setConnection("reconnecting");
    // CONNECTING: the browser retries by itself (the watchdog catches it if that never works).
    // CLOSED: the browser gave up; only a new EventSource brings the stream back.
    if (source.readyState === EventSource.CLOSED) this.scheduleReopen();
  }

  checkStale() {
    const silent = Date.now() - this.lastEventAt;
    // Samples were flowing when the events stopped: they come many times a second.
    const sampling = this.lastEventAt - this.lastSampleAt < 1000;
    const quiet = sampling ? QUIET_WITH_SAMPLES_MS : QUIET_WITHOUT_SAMPLES_MS;
    if (this.connection === "live" && silent >= quiet) this.setConnection("reconnecting");
    if (this.retryTimer || silent < STALE_MS) return;
    this.setConnection("reconnecting");
    this.scheduleReopen();
  }

  scheduleReopen() {
    if (this.retryTimer) return;
    if (this.source) this.source.close();
    const jitter = 0.8 + Math.random() * 0.4;
    const wait = this.retryMs * jitter;
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.open("reconnecting");
    }, wait);
  }

  reconnectNow() {
    this.retryMs = FIRST_RETRY_MS;
    this.open("reconnecting");
  }

  setConnection(connection) {
    if (connection === this.connection) return;
    this.connection = connection;
    this.handlers.connection(connection);
  }
}
