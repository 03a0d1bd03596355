// The staff console of one session: live counts and queue, take / write / remove, private chat
// after hand-off, transfer, the outcome record, announcements and walk-ins. Every action goes
// through the relay (docs/realtime.md); the server-rendered table is replaced by a live one.
// Each part of the screen has its module in console/; this file connects them to the relay.
import { RelayClient } from "./relay-client.js";
import { wireAnnounce } from "./console/announcements.js";
import { tickClosing, wireClosing } from "./console/closing.js";
import { showCounts } from "./console/counts.js";
import { handlers } from "./console/handlers.js";
import { setLog } from "./console/panels.js";
import { renderQueue, tick } from "./console/queue.js";
import { data, el, shared, t } from "./console/state.js";
import { wireWalkIn } from "./console/walk-ins.js";

const root = document.getElementById("console");
const connection = el("connection-status");

shared.client = new RelayClient({
  url: root.dataset.wsUrl,
  token: root.dataset.token,
  onFrame: (frame) => handlers[frame.type] && handlers[frame.type](frame),
  onStatus(status) {
    connection.textContent = { open: t.connected, connecting: t.connecting, reconnecting: t.reconnecting }[status] || "";
    connection.classList.toggle("is-visible", status !== "open");
  },
  // After failures, fetch a fresh staff token; a logged-out console stops instead of retrying forever.
  async refresh() {
    const answer = await fetch(root.dataset.tokenUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (answer.status === 401 || answer.status === 403) {
      window.setTimeout(() => { connection.textContent = t.login_again; }, 0);
      return { stop: true };
    }
    const body = await answer.json();
    return { token: body.token, url: body.ws_url };
  },
});

for (const [id, messages] of Object.entries(data.messages || {})) setLog(Number(id), messages);
renderQueue(data.queue || []);
showCounts(data.counts || {});
shared.initialised = true;
wireAnnounce();
wireWalkIn();
wireClosing();
window.setInterval(() => { tick(); tickClosing(); }, 1000);
shared.client.start();
