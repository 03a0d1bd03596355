// The session's live counts (visits, consultations, waiting, in consultation) above the queue.
import { el } from "./state.js";

export function showCounts(counts) {
  for (const key of ["visits", "consultations", "waiting", "in_consultation"]) {
    if (key in counts) el(`count-${key}`).textContent = counts[key];
  }
}
