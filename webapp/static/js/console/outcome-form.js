// The outcome form of a conversation pane: visit or consultation, topics, result, referral; sent
// as one `close` frame. A visit without a consultation records no topics and no result.
import { pending, send, shared, t } from "./state.js";

export function wireCloseForm(id, section, parts) {
  const form = parts.close;
  const [, topicsSet, resultSet] = form.querySelectorAll("fieldset");
  const kind = () => form.querySelector(`input[name="kind-${id}"]:checked`).value;
  parts.syncKind = () => {
    // Topics and a result describe a consultation; a visit without one records neither.
    const visitOnly = kind() === "visit_only";
    topicsSet.disabled = visitOnly;
    resultSet.disabled = visitOnly;
  };
  form.querySelectorAll(`input[name="kind-${id}"]`).forEach((input) => input.addEventListener("change", parts.syncKind));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    parts.closeError.textContent = "";
    const chosenKind = kind();
    const result = form.querySelector(`input[name="result-${id}"]:checked`);
    if (chosenKind === "consultation" && !result) {
      parts.closeError.textContent = t.need_result;
      return;
    }
    const consultation = chosenKind === "consultation";
    const outcome = {
      kind: chosenKind,
      topics: consultation ? [...form.querySelectorAll(`input[name="topics-${id}"]:checked`)].map((box) => box.value) : [],
      result: consultation ? result.value : null,
      referred_to: parts.agency.value || null,
    };
    pending.set(id, "close");
    shared.lastActor = section;
    if (!send({ type: "close", checkin_id: id, outcome }, section)) parts.closeError.textContent = t.offline;
  });
}
