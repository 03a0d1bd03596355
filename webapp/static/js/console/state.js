// What every part of the staff console shares: the page's data and sentences, the live maps of
// check-ins, the live region, and `send` (the relay client is plugged in by console.js).
import { fillNodes, readJson } from "../dom.js";
import { frameBytes } from "../relay-client.js";

export const data = readJson("console-data");
export const t = data.strings;
export const sessionId = data.session_id;
const me = data.me.login;
const MAX_FRAME_BYTES = 4096;

export const el = (id) => document.getElementById(id);
const live = el("console-live");

/** checkin_id -> the latest queue entry (with `receivedAt`, for the ticking wait). */
export const entries = new Map();
/** checkin_id -> {tr, parts} */
export const rows = new Map();
/** checkin_id -> {section, parts} */
export const panels = new Map();
/** checkin_id -> the conversation so far, oldest first. */
export const logs = new Map();
/** checkin_id -> {from, note}: what a colleague handed over with the resident (kept only on this screen). */
export const notes = new Map();
/** checkin_id -> the action this console asked for and still awaits ("take", "transfer", ...). */
export const pending = new Map();
/**
 * `client`: the RelayClient; `lastActor`: where to show a relay error that names no check-in (the
 * announce or walk-in form); `initialised`: false while the first queue is drawn (no arrivals said).
 */
export const shared = { client: null, lastActor: null, initialised: false };

/** Put a sentence (text, or nodes from `fillNodes`) in the visible polite live region (heard once). */
export function say(content) {
  live.textContent = "";
  window.setTimeout(() => { live.replaceChildren(content); }, 50);
}

export function avatarOf(entry) {
  return data.avatars[entry.avatar] || { label: entry.avatar, image_url: "" };
}

/**
 * How the console names a person: 受付番号, avatar and nickname ("3番 くま（ゆう）"), so two くま are told
 * apart; nodes, so a Japanese nickname keeps lang="ja" on English pages.
 */
export function nameOf(entry) {
  if (!entry) return "";
  const label = avatarOf(entry).label;
  const name = entry.nickname ? fillNodes(t.with_nickname, { avatar: label, nickname: entry.nickname }) : label;
  return entry.number ? fillNodes(t.with_number, { n: String(entry.number), name }) : name;
}

export function isMine(entry) {
  return Boolean(entry && entry.status === "in_consultation" && entry.taken_by && entry.taken_by.login === me);
}

/** Clone a <template>; "CID" in ids and names becomes the check-in id, so labels stay tied to inputs. */
export function cloneTemplate(id, checkinId) {
  const fragment = el(id).content.cloneNode(true);
  const attrs = ["id", "for", "name", "aria-labelledby", "aria-describedby"];
  for (const item of fragment.querySelectorAll(attrs.map((a) => `[${a}]`).join(","))) {
    for (const attr of attrs) {
      const value = item.getAttribute(attr);
      if (value && value.includes("CID")) item.setAttribute(attr, value.replaceAll("CID", checkinId));
    }
  }
  return fragment.firstElementChild;
}

export function send(frame, actor) {
  shared.lastActor = actor || null;
  if (frameBytes(frame) > MAX_FRAME_BYTES) {
    report(t.too_long, actor);
    return false;
  }
  if (!shared.client.send(frame)) {
    report(t.offline, actor);
    return false;
  }
  return true;
}

export function report(text, actor) {
  const slot = actor && actor.querySelector(".panel-error, .form-status");
  if (slot) slot.textContent = text;
  say(text);
}
