// The outcome form of a conversation pane: visit or consultation, topics, result, referral; sent
// as one `close` frame. Whether the parts add up is the relay's rule (outcomes.py resolve_outcome):
// what it refuses comes back as `error invalid_outcome {field, problem}`, said next to that field,
// which gets the focus; what was entered stays as it was.
import { pending, say, send, shared, t } from "./state.js";

export function wireCloseForm(id, section, parts) {
  const form = parts.close;
  const field = (name) => form.querySelector(`[data-field="${name}"]`);
  const errorSlots = [...form.querySelectorAll("[data-error-for]")];
  const kind = () => form.querySelector(`input[name="kind-${id}"]:checked`).value;
  parts.syncKind = () => {
    // Topics, a result and an agency describe a consultation; a visit without one records none of them.
    const visitOnly = kind() === "visit_only";
    field("topics").disabled = visitOnly;
    field("result").disabled = visitOnly;
    parts.agency.disabled = visitOnly;
  };
  const clearProblems = () => {
    parts.closeError.textContent = "";
    for (const slot of errorSlots) slot.textContent = "";
    for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  };
  /** The relay refused the outcome: the message beside its field, focus on it; true when shown there. */
  parts.showProblem = (frame) => {
    const slot = form.querySelector(`[data-error-for="${frame.field}"]`);
    if (!slot) return false;
    const text = t.outcome_problems[frame.problem] || t.errors.invalid_outcome;
    slot.textContent = text;
    const inputs = [...field(frame.field).querySelectorAll("input, select")].filter((input) => !input.matches(":disabled"));
    for (const input of inputs) input.setAttribute("aria-invalid", "true");
    const target = inputs.find((input) => input.checked) || inputs[0];
    if (target) target.focus();
    say(text);
    return true;
  };
  form.querySelectorAll(`input[name="kind-${id}"]`).forEach((input) => input.addEventListener("change", parts.syncKind));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearProblems();
    const consultation = kind() === "consultation";
    const result = form.querySelector(`input[name="result-${id}"]:checked`);
    const outcome = {
      kind: kind(),
      topics: consultation ? [...form.querySelectorAll(`input[name="topics-${id}"]:checked`)].map((box) => box.value) : [],
      result: consultation && result ? result.value : null,
      referred_to: consultation ? (parts.agency.value || null) : null,
    };
    pending.set(id, "close");
    shared.lastActor = section;
    if (!send({ type: "close", checkin_id: id, outcome }, section)) parts.closeError.textContent = t.offline;
  });
}
