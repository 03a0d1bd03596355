// A websocket client for the いこまる relay that reconnects by itself.
//
// Shared by the resident waiting room and the staff console. It knows nothing about
// frames beyond JSON: callers get every parsed frame through `onFrame` and connection
// changes through `onStatus` ("connecting", "open", "reconnecting", "stopped").

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

/** Read a JSON data island rendered by the template (`<script type="application/json">`). */
export function readJson(id) {
  const node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : {};
}

/** Replace `{name}` placeholders in a translated string. */
export function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? String(values[key]) : whole));
}

/** HH:MM of an ISO time in Ikoma, for message time stamps. */
export function clockOf(iso) {
  const when = iso ? new Date(iso) : new Date();
  if (Number.isNaN(when.getTime())) return "";
  return when.toLocaleTimeString("ja-JP", { hour: "2-digit", minute: "2-digit", timeZone: "Asia/Tokyo" });
}

/** What tells two chat lines apart when a welcome or history frame repeats what is on screen. */
export function messageKey(message) {
  return `${message.at}|${message.from}|${message.text}`;
}

/** True while an IME is composing: Enter then confirms the word, it must not send. */
export function isComposing(event) {
  return event.isComposing || event.keyCode === 229;
}

/** Wire a textarea to a live "characters left" counter and the frame size limit. */
export function attachCounter(textarea, counter, strings, maxChars) {
  const update = () => {
    const left = maxChars - textarea.value.length;
    counter.textContent = fill(strings.chars_left, { n: Math.max(left, 0), max: maxChars });
    counter.classList.toggle("counter-low", left < 50);
  };
  textarea.addEventListener("input", update);
  update();
  return update;
}

// --- Japanese data on pages in another language (WCAG 2.1 SC 3.1.2 Language of Parts) ----------
// Nicknames, names, places and messages arrive from the relay as typed, usually in Japanese. On an
// English page each such text sits in an element with lang="ja", so screen readers switch voice;
// Japanese pages stay unmarked. Same rule as `ja()` in webapp/templating.py.

/** Japanese script: CJK punctuation, kana, kanji, full-width forms (as templating.JAPANESE). */
const JAPANESE = /[\u3000-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]/;

function needsJa(text) {
  return !(document.documentElement.lang || "ja").startsWith("ja") && JAPANESE.test(text);
}

/** Make data the whole text of `element`, with lang="ja" when it needs marking (never as HTML). */
export function setText(element, text) {
  const value = text === undefined || text === null ? "" : String(text);
  element.textContent = value;
  if (needsJa(value)) element.lang = "ja";
  else element.removeAttribute("lang");
}

/** A new element whose whole text is data people typed (a name, a message), marked as `setText` does. */
export function dataElement(tag, className, text) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  setText(element, text);
  return element;
}

/** Data as a node among other words: a <span lang="ja"> when it needs marking, plain text otherwise. */
export function dataNode(text) {
  const value = text === undefined || text === null ? "" : String(text);
  if (!needsJa(value)) return document.createTextNode(value);
  const span = document.createElement("span");
  setText(span, value);
  return span;
}

/**
 * `fill` for sentences that embed data: a fragment in which each value is a node (strings go
 * through `dataNode`; nodes, e.g. another `fillNodes` result, are put in as they are).
 */
export function fillNodes(template, values) {
  const fragment = document.createDocumentFragment();
  let last = 0;
  for (const match of template.matchAll(/\{(\w+)\}/g)) {
    if (!(match[1] in values)) continue;
    if (match.index > last) fragment.append(template.slice(last, match.index));
    const value = values[match[1]];
    fragment.append(value instanceof Node ? value : dataNode(value));
    last = match.index + match[0].length;
  }
  if (last < template.length) fragment.append(template.slice(last));
  return fragment;
}
