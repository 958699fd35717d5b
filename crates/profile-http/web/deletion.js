// Deleting the profile: a dialog asks for the login email, then shows the
// deletion receipt's progress. With a grace period set by the operator, a
// banner offers to keep the profile while the deletion waits.

import { call, explain } from "./api.js";
import { byId, clearError, showError, when, whileBusy } from "./ui.js";
import { report, toSignIn } from "./page.js";
import { followReceipt } from "./receipt-view.js";

async function showPendingDeletion() {
  let receipt;
  try {
    receipt = await call("GET", "/v1/me/deletion");
  } catch (error) {
    if (error.code !== "no_deletion_pending") report(error, "page-error");
    return;
  }
  if (receipt.status !== "in_progress") return;
  byId("deletion-banner-text").textContent =
    `You asked for your profile to be deleted. It will be deleted on ${when(receipt.erase_after)} ` +
    "unless you keep it.";
  byId("deletion-banner").hidden = false;
}

/**
 * Wires the Delete profile button, its dialog and the pending-deletion
 * banner; resolves once the banner is shown or known not to be needed.
 */
export function setUpDeletion(profile) {
  let email = profile.email;
  document.addEventListener("profile", (event) => {
    email = event.detail.email;
  });
  const dialog = byId("delete-dialog");
  const form = byId("delete-form");
  const progress = byId("delete-progress");
  const confirmInput = byId("delete-confirm");
  let following = null;
  let requested = false;

  byId("delete-profile").addEventListener("click", () => {
    byId("delete-address").textContent = email;
    confirmInput.value = "";
    clearError("delete-error");
    form.hidden = false;
    progress.hidden = true;
    dialog.showModal();
    confirmInput.focus();
  });

  let sending = false;
  byId("keep-profile").addEventListener("click", () => dialog.close());
  byId("delete-done").addEventListener("click", () => dialog.close());
  // While the request is on its way the dialog stays: its answer decides
  // where the person goes next.
  dialog.addEventListener("cancel", (event) => {
    if (sending) event.preventDefault();
  });
  dialog.addEventListener("close", () => {
    if (following) following.stop();
    // After a request the session is over: the account is going away.
    if (requested) toSignIn();
    else byId("delete-profile").focus();
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError("delete-error");
    if (!confirmInput.value.trim()) {
      showError("delete-error", "Type your login email to confirm.");
      confirmInput.focus();
      return;
    }
    let started;
    sending = true;
    try {
      started = await whileBusy(
        byId("confirm-delete"),
        "Deleting…",
        () => call("DELETE", "/v1/me", { confirm: confirmInput.value }),
        [byId("keep-profile")],
      );
    } catch (error) {
      report(error, "delete-error");
      confirmInput.focus();
      return;
    } finally {
      sending = false;
    }
    requested = true;
    form.hidden = true;
    progress.hidden = false;
    byId("receipt-link").href = `/deletion-receipts/${started.receipt_id}`;
    byId("delete-progress-title").focus();
    following = followReceipt(started.receipt_id, byId("receipt-status"), byId("receipt-steps"), {
      // The deletion goes on whatever happens to this page; say when the
      // progress cannot be read, and clear it once it can.
      onError: (error) =>
        showError("delete-progress-error", `${explain(error)} The deletion goes on; the receipt link shows it.`),
      onRead: () => clearError("delete-progress-error"),
      onEnd: (receipt) => {
        if (receipt.status === "completed") byId("delete-progress-title").textContent = "Your profile is deleted";
      },
    });
  });

  byId("cancel-deletion").addEventListener("click", async (event) => {
    clearError("deletion-banner-error");
    try {
      await whileBusy(event.currentTarget, "Keeping…", () => call("DELETE", "/v1/me/deletion"));
      byId("deletion-banner").hidden = true;
    } catch (error) {
      report(error, "deletion-banner-error");
    }
  });

  return showPendingDeletion();
}
