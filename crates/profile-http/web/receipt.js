// The receipt page: /deletion-receipts/{id} shows that receipt, kept up to
// date until the deletion is complete.

import { explain } from "./api.js";
import { byId, clearError, showError } from "./ui.js";
import { followReceipt } from "./receipt-view.js";

const id = decodeURIComponent(window.location.pathname.split("/").pop() || "");
followReceipt(id, byId("receipt-status"), byId("receipt-steps"), {
  everyMs: 2000,
  onError: (error) => {
    if (error.code === "invalid_receipt_id" || error.code === "receipt_not_found") {
      byId("receipt-status").textContent = "";
      showError("receipt-error", "There is no deletion receipt at this address. Check the link.");
      return;
    }
    showError("receipt-error", explain(error));
  },
  onRead: () => clearError("receipt-error"),
});
