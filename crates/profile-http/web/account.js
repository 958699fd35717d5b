// The display name and login email fields. A new login email gets a code;
// the dialog takes it, and only then does the address change.

import { call } from "./api.js";
import { byId, clearError, flash, showError, whileBusy } from "./ui.js";
import { report, showWho } from "./page.js";

/** Wires the name and email forms for the profile just loaded. */
export function setUpAccount(profile) {
  let shown = profile;
  const nameInput = byId("display-name");
  const emailInput = byId("login-email");
  const dialog = byId("email-dialog");
  const codeInput = byId("email-code");
  nameInput.value = profile.display_name || "";
  emailInput.value = profile.email;

  byId("name-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError("name-error");
    try {
      shown = await whileBusy(byId("save-name"), "Saving…", () =>
        call("PATCH", "/v1/me", { display_name: nameInput.value }),
      );
      nameInput.value = shown.display_name || "";
      showWho(shown);
      flash("name-status", "Your display name is saved.");
    } catch (error) {
      report(error, "name-error");
      nameInput.focus();
    }
  });

  let newAddress = "";
  byId("email-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError("email-error");
    newAddress = emailInput.value.trim();
    if (!newAddress) {
      showError("email-error", "Enter the new address.");
      emailInput.focus();
      return;
    }
    try {
      const started = await whileBusy(byId("save-email"), "Sending code…", () =>
        call("POST", "/v1/me/email-change", { new_email: newAddress }),
      );
      const minutes = Math.round(started.code_valid_for_seconds / 60);
      byId("email-dialog-text").textContent =
        `We sent a code to ${newAddress}. Enter it here within ${minutes} minutes to make it your login email. ` +
        `Until then you keep signing in with ${shown.email}.`;
      clearError("email-code-error");
      codeInput.value = "";
      dialog.showModal();
      codeInput.focus();
    } catch (error) {
      report(error, "email-error");
      emailInput.focus();
    }
  });

  byId("email-code-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError("email-code-error");
    if (!codeInput.value.trim()) {
      showError("email-code-error", "Enter the code from the email.");
      codeInput.focus();
      return;
    }
    try {
      shown = await whileBusy(byId("confirm-email"), "Confirming…", () =>
        call("POST", "/v1/me/email-change/confirm", { code: codeInput.value.trim() }),
      );
      confirmed = true;
      dialog.close();
      showWho(shown);
      flash("email-status", `Done: you now sign in with ${shown.email}.`);
    } catch (error) {
      report(error, "email-code-error");
      codeInput.select();
    }
  });

  let confirmed = false;
  byId("close-email-dialog").addEventListener("click", () => dialog.close());
  // However the dialog closes (the button, Escape), the field shows the
  // address in force again and focus returns to it.
  dialog.addEventListener("close", () => {
    emailInput.value = shown.email;
    if (!confirmed) flash("email-status", `Nothing changed: you still sign in with ${shown.email}.`);
    confirmed = false;
    emailInput.focus();
  });
}
