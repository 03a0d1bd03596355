// A websocket client for the relay that reconnects by itself.
//
// Shared by the resident waiting room and the staff console (their page helpers are in dom.js).
// It knows nothing about frames beyond JSON: callers get every parsed frame through `onFrame`
// and connection changes through `onStatus` ("connecting", "open", "reconnecting", "stopped").

const MIN_DELAY_MS = 1000;
const MAX_DELAY_MS = 30000;
// Failed attempts in a row before `refresh` is asked for a new token (or told to stop).
const REFRESH_AFTER = 2;

/** The UTF-8 size of a frame as the relay will count it. */
export function frameBytes(frame) {
  return new TextEncoder().encode(JSON.stringify(frame)).length;
}

export class RelayClient {
  /**
   * @param {object} options
   * @param {string} options.url      ws URL without the query string
   * @param {string} options.token    token for `?token=`
   * @param {(frame: object) => void} options.onFrame
   * @param {(status: string) => void} [options.onStatus]
   * @param {() => Promise<{token?: string, url?: string, stop?: boolean}>} [options.refresh]
   *   asked after repeated failures: a new token, or `stop: true` when retrying is pointless
   */
  constructor({ url, token, onFrame, onStatus, refresh }) {
    this.url = url;
    this.token = token;
    this.onFrame = onFrame;
    this.onStatus = onStatus || (() => {});
    this.refresh = refresh;
    this.socket = null;
    this.failures = 0;
    this.timer = null;
    this.stopped = false;
    this.everOpened = false;
    window.addEventListener("online", () => this.reconnectSoon(0));
  }

  start() {
    this.stopped = false;
    this.open();
  }

  /** Stop for good (after `closed`, or when leaving the page). */
  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.socket) this.socket.close(1000);
    this.socket = null;
    this.onStatus("stopped");
  }

  get isOpen() {
    return this.socket !== null && this.socket.readyState === WebSocket.OPEN;
  }

  /** Send a frame; false when not connected (the caller tells the person). */
  send(frame) {
    if (!this.isOpen) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  open() {
    if (this.stopped) return;
    this.onStatus(this.everOpened || this.failures ? "reconnecting" : "connecting");
    const separator = this.url.includes("?") ? "&" : "?";
    let socket;
    try {
      socket = new WebSocket(`${this.url}${separator}token=${encodeURIComponent(this.token)}`);
    } catch (err) {
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    socket.addEventListener("open", () => {
      this.everOpened = true;
      this.onStatus("open");
    });
    socket.addEventListener("message", (event) => {
      // A frame that arrives means the connection really works: forget past failures.
      this.failures = 0;
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch (err) {
        return;
      }
      if (frame && typeof frame.type === "string") this.onFrame(frame);
    });
    socket.addEventListener("close", () => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (!this.stopped) this.scheduleRetry();
    });
  }

  scheduleRetry() {
    this.failures += 1;
    this.onStatus("reconnecting");
    // Exponential backoff with jitter, so a restarted relay is not hit by everyone at once.
    const base = Math.min(MAX_DELAY_MS, MIN_DELAY_MS * 2 ** (this.failures - 1));
    this.reconnectSoon(base / 2 + Math.random() * (base / 2));
  }

  reconnectSoon(delay) {
    if (this.stopped || this.isOpen) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.retry(), delay);
  }

  async retry() {
    if (this.stopped || this.isOpen) return;
    if (this.socket && this.socket.readyState === WebSocket.CONNECTING) return;
    if (this.refresh && this.failures >= REFRESH_AFTER) {
      try {
        const answer = await this.refresh();
        if (answer && answer.stop) {
          this.stop();
          return;
        }
        if (answer && answer.token) this.token = answer.token;
        if (answer && answer.url) this.url = answer.url;
      } catch (err) {
        // The web server is unreachable too: keep trying the relay with the old token.
      }
    }
    this.open();
  }
}

/** What tells two chat lines apart when a welcome or history frame repeats what is on screen. */
export function messageKey(message) {
  return `${message.at}|${message.from}|${message.text}`;
}
