// The Privacy section: the "Your data" tab (download everything) and the
// "Consents" tab (one switch per purpose, saved as it is switched).

import { call } from "./api.js";
import { byId, clearError, flash, setUpTabs, showError, whileBusy } from "./ui.js";
import { report } from "./page.js";

function fileName(response) {
  const disposition = response.headers.get("Content-Disposition") || "";
  const match = /filename="?([^";]+)"?/.exec(disposition);
  return match ? match[1] : "profile-data.json";
}

async function download(button) {
  clearError("download-error");
  try {
    const response = await whileBusy(button, "Preparing…", async () => {
      const answer = await call("GET", "/v1/me/export", undefined, { raw: true });
      return { name: fileName(answer), blob: await answer.blob() };
    });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(response.blob);
    link.download = response.name;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 60000);
    flash("download-status", `Your data was saved as ${response.name}.`);
  } catch (error) {
    report(error, "download-error");
  }
}

function consentRow(consent) {
  const id = consent.purpose.id;
  const row = document.createElement("div");
  row.className = "consent";
  const text = document.createElement("div");
  text.className = "text";
  const label = document.createElement("label");
  label.htmlFor = `consent-${id}`;
  label.textContent = consent.purpose.title;
  const description = document.createElement("p");
  description.className = "description";
  description.id = `consent-${id}-description`;
  description.textContent = consent.purpose.description;
  if (consent.needs_answer && consent.answered_version !== null && consent.answered_version !== undefined) {
    description.textContent += " (This text changed since you last chose. Please check your choice.)";
  }
  const error = document.createElement("p");
  error.className = "error";
  error.id = `consent-${id}-error`;
  error.setAttribute("role", "alert");
  const status = document.createElement("p");
  status.className = "status";
  status.id = `consent-${id}-status`;
  status.setAttribute("role", "status");
  text.append(label, description, error, status);

  const toggle = document.createElement("input");
  toggle.type = "checkbox";
  toggle.id = `consent-${id}`;
  toggle.setAttribute("role", "switch");
  toggle.setAttribute("aria-describedby", `${description.id} ${error.id}`);
  toggle.checked = consent.granted;
  toggle.dataset.purpose = id;
  toggle.addEventListener("change", async () => {
    const granted = toggle.checked;
    clearError(error.id);
    toggle.disabled = true;
    try {
      await call("PUT", `/v1/me/consents/${encodeURIComponent(id)}`, { granted, version: consent.purpose.version });
      flash(status.id, granted ? "On. Saved." : "Off. Saved.");
    } catch (failure) {
      toggle.checked = !granted;
      if (failure.code === "purpose_changed") {
        // The text changed under the reader: show the new one to answer.
        await loadConsents(true);
        const fresh = document.getElementById(`consent-${id}`);
        if (fresh) fresh.focus();
        showError(`consent-${id}-error`, "The text of this choice was just updated. Please read it and choose again.");
        return;
      }
      report(failure, error.id);
    } finally {
      toggle.disabled = false;
      // Disabling dropped keyboard focus; give it back.
      if (document.activeElement === document.body && toggle.isConnected) toggle.focus();
    }
  });
  row.append(text, toggle);
  return row;
}

let consentsLoaded = false;

async function loadConsents(again = false) {
  if (consentsLoaded && !again) return;
  clearError("consents-error");
  try {
    const consents = await call("GET", "/v1/me/consents");
    for (const kind of ["email", "data_use"]) {
      const group = byId(`consents-${kind}`);
      const mine = consents.filter((c) => c.purpose.kind === kind);
      group.replaceChildren(...mine.map(consentRow));
      group.closest(".card").hidden = mine.length === 0;
    }
    if (consents.length === 0) {
      showError("consents-error", "There is nothing to choose here yet.");
    }
    consentsLoaded = true;
  } catch (error) {
    report(error, "consents-error");
  }
}

/** Wires the Privacy section's tabs, the download and the consents. */
export function setUpPrivacy() {
  const tabs = setUpTabs(document.querySelector('#privacy-section [role="tablist"]'), (tab) => {
    if (tab.id === "tab-consents") loadConsents();
  });
  if (window.location.hash === "#privacy/consents") {
    tabs.select(byId("tab-consents"));
  }
  byId("download").addEventListener("click", (event) => download(event.currentTarget));
}

