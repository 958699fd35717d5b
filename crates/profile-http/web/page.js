// What every part of the profile page shares: leaving for the sign-in page,
// reporting an error next to its field, the top bar.

import { call, explain, isSignedOut } from "./api.js";
import { byId, showError } from "./ui.js";

/** Sends the reader to the sign-in page (their session is gone). */
export function toSignIn() {
  window.location.replace("/sign-in");
}

/** Signs out and opens the sign-in page, for a fresh sign-in. */
async function signInAgain() {
  try {
    await call("POST", "/v1/auth/sign-out");
  } finally {
    toSignIn();
  }
}

/**
 * Reacts to an error: to sign-in when signed out, else shown in `errorId`;
 * when the action needs a fresh sign-in, the message offers one.
 */
export function report(error, errorId) {
  if (isSignedOut(error)) {
    toSignIn();
    return;
  }
  showError(errorId, explain(error));
  if (error.code === "reauthentication_required") {
    const again = document.createElement("button");
    again.type = "button";
    again.className = "quiet";
    again.textContent = "Sign in again";
    again.addEventListener("click", signInAgain);
    byId(errorId).append(" ", again);
  }
}

/**
 * Shows the signed-in person's name and smallest picture in the top bar,
 * and tells the rest of the page (a `profile` event) that it changed.
 */
export function showWho(profile) {
  document.dispatchEvent(new CustomEvent("profile", { detail: profile }));
  byId("top-name").textContent = profile.display_name || profile.email;
  const smallest = profile.picture.urls[profile.picture.urls.length - 1];
  const top = byId("top-picture");
  if (smallest) {
    top.src = smallest.url;
    top.hidden = false;
  }
}
