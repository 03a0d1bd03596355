// The room page: loads the map, then runs the room live through the relay (a resident, staff, or a
// practice room of one) or, for practice without the relay, alone in this browser.
import { clockOf, dataElement, fillNodes, node, readJson } from "../dom.js";
import { RelayClient } from "../relay-client.js";
import { Consult } from "./consult.js";
import { MapView } from "./map-view.js";
import { Places } from "./places.js";
import { practiceToken, startTour } from "./practice.js";
import { buildStamps, showStamp } from "./stamps.js";
import { StaffTools } from "./staff-tools.js";
import { RoomState } from "./state.js";
import { Walker } from "./walker.js";

const root = document.getElementById("room");
const data = readJson("room-data");
const t = data.strings;
const el = (id) => document.getElementById(id);
// Our own position as the relay echoes it is ignored this long after a step of ours.
const OWN_ECHO_MS = 600;
// How long a practice room from the relay may take before the page practises on its own.
const PRACTICE_WAIT_MS = 3000;

let client = null;
let room = null;

function send(frame) {
  return client ? client.send(frame) : false;
}

function redraw() {
  for (const occupant of room.state.occupants.values()) room.view.show(occupant);
  room.view.markBooths();
  room.places.refresh();
  if (room.staff) room.staff.refresh();
}

/** After each of our steps: announce a new place, and ask for a consultation on entering a booth. */
function afterStep(before) {
  const me = room.state.self;
  room.lastStep = Date.now();
  redraw();
  if (me.zone && (!before || before.id !== me.zone.id)) {
    room.places.entered(me);
    if (me.zone.kind === "booth" && room.consult && room.consult.status === "visiting") room.consult.ask();
  }
}

function place(occupant) {
  const { occupant: now, from } = room.state.put(occupant);
  if (now.zone && (!from || from.id !== now.zone.id)) room.places.entered(now);
}

function addAnnouncement({ text, at }) {
  const item = node("li");
  item.append(node("span", "bubble-time", clockOf(at)), " ", dataElement("span", "", text));
  el("announcements").prepend(item);
  el("announcements-empty").hidden = true;
  for (const occupant of room.state.occupants.values()) if (occupant.staff) room.view.bubble(occupant.oid, text);
}

const roomFrames = {
  room(frame) {
    room.state.you = frame.you;
    if (frame.booths_in_use) room.state.booths = new Set(frame.booths_in_use);
    for (const oid of [...room.state.occupants.keys()]) room.view.hide(oid);
    room.state.occupants.clear();
    for (const occupant of frame.occupants) room.state.put(occupant);
    redraw();
    if (room.state.self) room.places.entered(room.state.self);
  },
  booths(frame) {
    room.state.booths = new Set(frame.in_use || []);
    redraw();
  },
  moves(frame) {
    for (const { oid, x, y } of frame.items) {
      if (oid === room.state.you && Date.now() - (room.lastStep || 0) < OWN_ECHO_MS) continue;
      place({ oid, x, y });
    }
    redraw();
  },
  entered(frame) {
    place(frame.occupant);
    redraw();
  },
  left(frame) {
    const gone = room.state.remove(frame.oid);
    room.view.hide(frame.oid);
    if (gone) room.places.say(fillNodes(t.left, { name: room.state.nameOf(gone) }));
    redraw();
  },
  emote: (frame) => showStamp(room, frame.oid, frame.emote),
  muted(frame) {
    if (room.staff) {
      room.staff.mutedChanged(frame);
      return;
    }
    // Our own stamps stopped (or allowed again) by staff.
    for (const button of el("stamps").querySelectorAll("button")) button.disabled = frame.muted;
    el("stamps-status").textContent = frame.muted ? t.stamps_muted : "";
  },
  announcement: addAnnouncement,
  error(frame) {
    if (frame.code === "muted") el("stamps-status").textContent = t.stamps_muted;
    else if (room.consult) room.consult.error(frame);
    else el("connection-status").textContent = t.error_generic;
  },
  closed: () => window.location.assign(root.dataset.doneUrl),
};

function onFrame(frame) {
  if (roomFrames[frame.type]) roomFrames[frame.type](frame);
  else if (room.consult && typeof room.consult[frame.type] === "function") room.consult[frame.type](frame);
}

async function refreshResident() {
  const answer = await fetch(root.dataset.stateUrl, { headers: { Accept: "application/json" } });
  const state = await answer.json();
  if (!["visiting", "waiting", "in_consultation"].includes(state.status)) {
    window.location.assign(root.dataset.doneUrl);
    return { stop: true };
  }
  return { token: state.token };
}

function connect(token, url) {
  client = new RelayClient({
    url: url || root.dataset.wsUrl,
    token,
    onFrame,
    onStatus(status) {
      el("connection-status").textContent = status === "reconnecting" ? t.reconnecting : "";
      // Staff follow several sessions: they walk into this one's room on every (re)connect.
      if (status === "open" && data.mode === "staff") client.send({ type: "enter", session_id: data.session_id });
    },
    // A resident's token is signed afresh by the web app, which also knows whether the check-in ended.
    refresh: data.mode === "resident" ? refreshResident : undefined,
  });
  client.start();
}

/** Practice without the relay: you alone at the entrance. */
function practiseOffline() {
  const entrance = room.state.zones.find((z) => z.kind === "entrance");
  roomFrames.room({ you: "you", occupants: [{ oid: "you", avatar: "bear", nickname: "", staff: false,
                                              x: entrance.x + Math.round(entrance.w / 2),
                                              y: entrance.y + Math.round(entrance.h / 2) }] });
}

async function start() {
  let body;
  try {
    const answer = await fetch(data.map_url, { headers: { Accept: "application/json" } });
    if (!answer.ok) throw new Error(String(answer.status));
    body = await answer.json();
  } catch (err) {
    el("room-map").textContent = t.map_missing;
    return;
  }
  const state = new RoomState(body.map, data);
  const container = el("room-map");
  room = { state, data, view: new MapView(container, state, data) };
  room.places = new Places({ list: el("places"), live: el("room-live"), state, go: (zone) => room.walker.walkToZone(zone) });
  room.walker = new Walker({
    state,
    send: (x, y) => send({ type: "move", x, y }),
    moved: afterStep,
    blocked: () => room.places.say(t.booth_taken),
  });
  room.walker.listen(container, room.view);
  buildStamps(el("stamps"), data, body.emotes || [], (emote) => {
    if (data.mode === "practice" && !client) showStamp(room, state.you, emote);
    else send({ type: "emote", emote });
  });
  if (data.mode === "resident" || data.mode === "practice") {
    room.consult = new Consult({ data, send, say: (text) => room.places.say(text), practice: data.mode === "practice" });
  }
  if (data.mode === "staff") room.staff = new StaffTools({ state, data, send, walker: room.walker, say: (s) => room.places.say(s) });
  if (data.mode === "practice") {
    startTour(el("tour"), t);
    const practice = await practiceToken(data.session_id);
    if (practice) connect(practice.token, practice.url);
    // No practice room from the relay (or not soon): the same room, in this browser alone.
    window.setTimeout(() => {
      if (room.state.self) return;
      if (client) client.stop();
      client = null;
      practiseOffline();
    }, practice ? PRACTICE_WAIT_MS : 0);
  } else {
    connect(root.dataset.token);
  }
}

start();
