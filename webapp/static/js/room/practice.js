// 見学 (practice) outside session hours: a room of one from the relay when the practice API gives a
// token (counted apart, never as a visit); otherwise the same room run in this browser alone. A short
// guided tour explains the controls either way.
const TOUR = ["tour_1", "tour_2", "tour_3", "tour_4", "tour_end"];

/** A token for a practice room from the service, or null (the page then practises offline). */
export async function practiceToken(sessionId) {
  try {
    const answer = await fetch(`/api/v1/sessions/${sessionId}/room/practice`, {
      method: "POST", headers: { Accept: "application/json", "Content-Type": "application/json" }, body: "{}",
    });
    if (answer.status !== 201) return null;
    const body = await answer.json();
    return body.token ? { token: body.token, url: body.ws_url } : null;
  } catch (err) {
    return null;
  }
}

/** The guided tour: one sentence at a time, 「次へ」 to go on, 「練習を終える」 at the end. */
export function startTour(panel, t) {
  const text = panel.querySelector("#tour-text");
  const step = panel.querySelector("#tour-step");
  const next = panel.querySelector("#tour-next");
  let at = 0;
  const show = () => {
    text.textContent = t[TOUR[at]];
    step.textContent = `${at + 1} / ${TOUR.length}`;
    next.textContent = at === TOUR.length - 1 ? t.tour_done : t.tour_next;
  };
  next.addEventListener("click", () => {
    if (at === TOUR.length - 1) {
      panel.hidden = true;
      document.getElementById("room-map").focus();
      return;
    }
    at += 1;
    show();
  });
  panel.hidden = false;
  show();
}
