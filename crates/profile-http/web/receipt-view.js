// Shows a deletion receipt: its status in words and each step's progress.
// Used by the deletion dialog and by the receipt page.

import { call } from "./api.js";
import { when } from "./ui.js";

const STEPS = {
  end_sessions: "Sign you out everywhere",
  tell_providers: "Tell the mailing-list services to remove you",
  delete_pictures: "Delete your pictures",
  send_confirmation: "Email you a confirmation",
  erase_data: "Erase everything else",
};

function statusText(receipt) {
  switch (receipt.status) {
    case "completed":
      return `Your profile was deleted on ${when(receipt.completed_at)}. Nothing about you is left.`;
    case "cancelled":
      return `This deletion was cancelled on ${when(receipt.cancelled_at)}. The profile was kept.`;
    default:
      if (new Date(receipt.erase_after) > new Date()) {
        return `Your profile will be deleted on ${when(receipt.erase_after)}. Until then you can sign in and keep it.`;
      }
      return "Your profile is being deleted. This usually takes a moment.";
  }
}

function stepDetail(step, receipt) {
  if (step.status === "done") return `done ${when(step.done_at)}`;
  if (step.step === "tell_providers" && receipt.recipients.length > 0) {
    const told = receipt.recipients.filter((r) => r.status === "told").length;
    return `waiting: ${told} of ${receipt.recipients.length} told`;
  }
  return step.failures > 0 ? "waiting: will be tried again" : "waiting";
}

/** Fills `statusElement` and the list `stepsElement` from a receipt. */
export function renderReceipt(receipt, statusElement, stepsElement) {
  // Rewritten only when it changes: it is announced each time.
  const status = statusText(receipt);
  if (statusElement.textContent !== status) statusElement.textContent = status;
  stepsElement.replaceChildren(
    ...receipt.steps.map((step) => {
      const item = document.createElement("li");
      item.className = step.status === "done" ? "done" : "waiting";
      item.dataset.step = step.step;
      const mark = document.createElement("span");
      mark.className = "mark";
      mark.textContent = step.status === "done" ? "✓" : "…";
      mark.setAttribute("aria-hidden", "true");
      const text = document.createElement("span");
      text.textContent = STEPS[step.step] || step.step;
      const detail = document.createElement("span");
      detail.className = "detail";
      detail.textContent = ` (${stepDetail(step, receipt)})`;
      text.append(detail);
      item.append(mark, text);
      return item;
    }),
  );
}

/**
 * Reads the receipt again and again (every `everyMs`) and shows it, until it
 * is completed or cancelled or `stop()` is called. `onError` hears about a
 * failed read; the next one is tried, unless the id itself was refused.
 */
export function followReceipt(id, statusElement, stepsElement, options = {}) {
  const { everyMs = 1000, onError = () => {}, onRead = () => {}, onEnd = () => {} } = options;
  let timer = null;
  let stopped = false;
  const read = async () => {
    try {
      const receipt = await call("GET", `/v1/deletion-receipts/${encodeURIComponent(id)}`);
      renderReceipt(receipt, statusElement, stepsElement);
      onRead(receipt);
      if (receipt.status !== "in_progress") {
        stopped = true;
        onEnd(receipt);
        return;
      }
    } catch (error) {
      // A wrong or unknown id will not get better; anything else might.
      if (error.status >= 400 && error.status < 500) stopped = true;
      onError(error);
    }
    if (!stopped) timer = setTimeout(read, everyMs);
  };
  read();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
