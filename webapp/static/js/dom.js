// Page helpers shared by the waiting room and the staff console: elements, translated sentences,
// times, and people's data marked lang="ja" on pages in another language. No relay here.

/** A new element with an optional class and text (never parsed as HTML). */
export function node(tag, className, text) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined) element.textContent = text;
  return element;
}

/** Read a JSON data island rendered by the template (`<script type="application/json">`). */
export function readJson(id) {
  const island = document.getElementById(id);
  return island ? JSON.parse(island.textContent) : {};
}

/** Replace `{name}` placeholders in a translated string. */
export function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? String(values[key]) : whole));
}

/** HH:MM of an ISO time on a Tokyo clock (Asia/Tokyo), for message time stamps. */
export function clockOf(iso) {
  const when = iso ? new Date(iso) : new Date();
  if (Number.isNaN(when.getTime())) return "";
  return when.toLocaleTimeString("ja-JP", { hour: "2-digit", minute: "2-digit", timeZone: "Asia/Tokyo" });
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
