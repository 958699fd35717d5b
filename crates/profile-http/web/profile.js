// The profile page: checks the session, loads the profile, and wires the
// menu (Profile, Privacy) and each part of the page.

import { call, explain, isSignedOut, loadSession } from "./api.js";
import { byId, showError } from "./ui.js";
import { report, showWho, toSignIn } from "./page.js";
import { setUpPicture } from "./picture.js";
import { setUpAccount } from "./account.js";
import { setUpPrivacy } from "./privacy.js";
import { setUpDeletion } from "./deletion.js";

const sections = { profile: byId("profile-section"), privacy: byId("privacy-section") };

function showSection(event) {
  const wanted = window.location.hash.slice(1).split("/")[0];
  const name = wanted in sections ? wanted : "profile";
  for (const [key, section] of Object.entries(sections)) {
    section.hidden = key !== name;
    const link = byId(`menu-${key}`);
    if (key === name) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  document.title = name === "privacy" ? "Privacy – your profile" : "Your profile";
  // Moving between sections (not the first load) takes focus to the new heading.
  if (event) sections[name].querySelector("h1").focus();
}

async function start() {
  try {
    await loadSession();
  } catch (error) {
    if (isSignedOut(error)) {
      toSignIn();
      return;
    }
    showError("page-error", explain(error));
    return;
  }
  window.addEventListener("hashchange", showSection);
  showSection();
  byId("sign-out").addEventListener("click", async () => {
    try {
      await call("POST", "/v1/auth/sign-out");
    } catch (error) {
      if (!isSignedOut(error)) {
        showError("page-error", explain(error));
        return;
      }
    }
    toSignIn();
  });
  let profile;
  try {
    profile = await call("GET", "/v1/me");
  } catch (error) {
    report(error, "page-error");
    return;
  }
  showWho(profile);
  setUpPicture(profile);
  setUpAccount(profile);
  setUpPrivacy();
  await setUpDeletion(profile);
  document.body.dataset.ready = "true";
}

start();
