// The picture card: Upload shows a preview of the processed picture, which
// Save makes the picture and Cancel throws away; Reset goes back to the
// default picture (the initials).

import { call } from "./api.js";
import { byId, clearError, flash, whileBusy } from "./ui.js";
import { report, showWho } from "./page.js";

/** The URL of the rendition closest to `size` pixels (at least that big when there is one). */
function sized(urls, size) {
  const bigEnough = urls.filter((u) => u.size >= size);
  const pick = bigEnough.length > 0 ? bigEnough[bigEnough.length - 1] : urls[0];
  return pick ? pick.url : "";
}

/** Wires the picture card for the profile just loaded. */
export function setUpPicture(profile) {
  const current = byId("picture-current");
  const pending = byId("picture-pending");
  const fileInput = byId("picture-file");

  const showCurrent = (picture) => {
    byId("picture").src = sized(picture.urls, 256);
    byId("reset-picture").hidden = picture.is_default;
    pending.hidden = true;
    current.hidden = false;
  };

  const reloadProfile = async () => {
    showWho(await call("GET", "/v1/me"));
  };

  showCurrent(profile.picture);
  // A new name gives the default picture new initials.
  document.addEventListener("profile", (event) => {
    if (pending.hidden) showCurrent(event.detail.picture);
  });

  byId("upload").addEventListener("click", () => fileInput.click());

  fileInput.addEventListener("change", async () => {
    const file = fileInput.files[0];
    if (!file) return;
    clearError("picture-error");
    const form = new FormData();
    form.append("file", file);
    try {
      const staged = await whileBusy(byId("upload"), "Uploading…", () =>
        call("POST", "/v1/me/avatar/pending", form),
      );
      byId("preview-large").src = sized(staged.previews, 256);
      byId("preview-small").src = sized(staged.previews, 64);
      current.hidden = true;
      pending.hidden = false;
      byId("save-picture").focus();
    } catch (error) {
      report(error, "picture-error");
    } finally {
      // Choosing the same file again must fire another change.
      fileInput.value = "";
    }
  });

  byId("save-picture").addEventListener("click", async (event) => {
    clearError("picture-error");
    try {
      await whileBusy(event.currentTarget, "Saving…", () => call("POST", "/v1/me/avatar/pending/save"), [
        byId("cancel-picture"),
      ]);
      pending.hidden = true;
      await reloadProfile();
      flash("picture-status", "Your new picture is saved.");
      byId("upload").focus();
    } catch (error) {
      report(error, "picture-error");
    }
  });

  byId("cancel-picture").addEventListener("click", async (event) => {
    clearError("picture-error");
    try {
      await whileBusy(event.currentTarget, "Cancelling…", () => call("DELETE", "/v1/me/avatar/pending"), [
        byId("save-picture"),
      ]);
    } catch (error) {
      // Already gone (expired or cancelled elsewhere) is what Cancel wanted.
      if (error.code !== "no_pending_picture") {
        report(error, "picture-error");
        return;
      }
    }
    pending.hidden = true;
    current.hidden = false;
    flash("picture-status", "The upload was discarded. Your picture is unchanged.");
    byId("upload").focus();
  });

  byId("reset-picture").addEventListener("click", async (event) => {
    clearError("picture-error");
    try {
      await whileBusy(event.currentTarget, "Resetting…", () => call("DELETE", "/v1/me/avatar"));
      await reloadProfile();
      flash("picture-status", "Your picture was removed. Your initials show instead.");
      byId("upload").focus();
    } catch (error) {
      report(error, "picture-error");
    }
  });
}
