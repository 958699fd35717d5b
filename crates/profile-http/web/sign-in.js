// The sign-in page: ask for a code by email, then sign in with it.

import { ApiError, call, explain, loadSession } from "./api.js";
import { byId, clearError, flash, showError, whileBusy } from "./ui.js";

const addressForm = byId("address-form");
const codeForm = byId("code-form");
const emailInput = byId("email");
const codeInput = byId("code");

async function requestCode() {
  const email = emailInput.value.trim();
  const answer = await call("POST", "/v1/auth/sign-in", { email });
  const minutes = Math.round(answer.code_valid_for_seconds / 60);
  byId("code-sent").textContent =
    `We sent a code to ${email}. It works for ${minutes} minutes. ` +
    "If it doesn't arrive, check your spam folder.";
}

addressForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearError("email-error");
  if (!emailInput.value.trim()) {
    showError("email-error", "Enter your email address.");
    emailInput.focus();
    return;
  }
  try {
    await whileBusy(byId("send-code"), "Sending…", requestCode);
    addressForm.hidden = true;
    codeForm.hidden = false;
    codeInput.value = "";
    codeInput.focus();
  } catch (error) {
    showError("email-error", explain(error));
    emailInput.focus();
  }
});

codeForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearError("code-error");
  if (!codeInput.value.trim()) {
    showError("code-error", "Enter the code from the email.");
    codeInput.focus();
    return;
  }
  try {
    await whileBusy(byId("verify"), "Signing in…", () =>
      // cookie_only: the session stays in the HttpOnly cookie, out of reach of scripts.
      call("POST", "/v1/auth/verify", { email: emailInput.value.trim(), code: codeInput.value.trim(), cookie_only: true }),
    );
    window.location.assign("/profile");
  } catch (error) {
    showError("code-error", explain(error));
    codeInput.select();
  }
});

byId("send-again").addEventListener("click", async (event) => {
  clearError("code-error");
  try {
    await whileBusy(event.currentTarget, "Sending…", requestCode);
    flash("code-status", "A new code is on its way. Use the newest one.");
    codeInput.value = "";
    codeInput.focus();
  } catch (error) {
    showError("code-error", explain(error));
  }
});

byId("other-address").addEventListener("click", () => {
  clearError("code-error");
  codeForm.hidden = true;
  addressForm.hidden = false;
  emailInput.select();
});

// Someone already signed in goes straight to their profile.
loadSession().then(
  () => window.location.replace("/profile"),
  (error) => {
    if (!(error instanceof ApiError) || error.status !== 401) {
      showError("email-error", explain(error));
    }
    emailInput.focus();
    document.body.dataset.ready = "true";
  },
);
