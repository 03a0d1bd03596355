// Walk-ins: staff count someone who came without checking in themselves (an avatar, a nickname).
import { el, send, sessionId, t } from "./state.js";

export function wireWalkIn() {
  const form = el("walkin-form");
  const status = el("walkin-status");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    status.textContent = "";
    const chosen = form.querySelector('input[name="walkin-avatar"]:checked');
    if (!chosen) {
      status.textContent = t.choose_avatar;
      form.querySelector('input[name="walkin-avatar"]').focus();
      return;
    }
    const nickname = el("walkin-nickname").value.trim();
    const frame = { type: "walkin", session_id: sessionId, avatar: chosen.value };
    if (nickname) frame.nickname = nickname;
    if (send(frame, form)) {
      chosen.checked = false;
      el("walkin-nickname").value = "";
    }
  });
}
