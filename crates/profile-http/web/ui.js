// Small helpers shared by the page's modules: finding elements, showing an
// error next to its field, busy buttons, tabs and dialogs.

/** The element with this id (the page's markup always has it). */
export function byId(id) {
  const element = document.getElementById(id);
  if (!element) throw new Error(`missing element #${id}`);
  return element;
}

/**
 * Shows `message` in the error line `errorId`, and marks the field that the
 * error line describes (through aria-describedby) as invalid.
 */
export function showError(errorId, message) {
  const line = byId(errorId);
  line.textContent = message;
  for (const field of document.querySelectorAll(`[aria-describedby~="${errorId}"]`)) {
    field.setAttribute("aria-invalid", "true");
  }
}

/** Clears an error line and its field's invalid mark. */
export function clearError(errorId) {
  showError(errorId, "");
  for (const field of document.querySelectorAll(`[aria-describedby~="${errorId}"]`)) {
    field.removeAttribute("aria-invalid");
  }
}

/** Shows a short confirmation that fades after a few seconds. */
export function flash(statusId, message) {
  const line = byId(statusId);
  line.textContent = message;
  clearTimeout(line.flashTimer);
  line.flashTimer = setTimeout(() => {
    line.textContent = "";
  }, 6000);
}

/**
 * Runs `work` with `button` (and `alsoDisabled`) disabled and `button`
 * showing `busyLabel`; all comes back afterwards, whatever happened, and
 * keyboard focus stays on the button.
 */
export async function whileBusy(button, busyLabel, work, alsoDisabled = []) {
  const label = button.textContent;
  const hadFocus = document.activeElement === button;
  for (const control of [button, ...alsoDisabled]) control.disabled = true;
  button.textContent = busyLabel;
  try {
    return await work();
  } finally {
    for (const control of [button, ...alsoDisabled]) control.disabled = false;
    button.textContent = label;
    // A disabled button loses focus; give it back unless it moved on.
    if (hadFocus && (document.activeElement === document.body || document.activeElement === null)) button.focus();
  }
}

/**
 * Makes a tab list work as the ARIA tabs pattern: click or Enter selects,
 * arrow keys, Home and End move between tabs.
 */
export function setUpTabs(tablist, onSelect = () => {}) {
  const tabs = [...tablist.querySelectorAll('[role="tab"]')];
  const select = (tab, focus) => {
    for (const other of tabs) {
      const chosen = other === tab;
      other.setAttribute("aria-selected", String(chosen));
      other.tabIndex = chosen ? 0 : -1;
      byId(other.getAttribute("aria-controls")).hidden = !chosen;
    }
    if (focus) tab.focus();
    onSelect(tab);
  };
  tablist.addEventListener("click", (event) => {
    const tab = event.target.closest('[role="tab"]');
    if (tab) select(tab, false);
  });
  tablist.addEventListener("keydown", (event) => {
    const at = tabs.indexOf(document.activeElement);
    if (at < 0) return;
    const moves = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1 };
    if (!(event.key in moves)) return;
    event.preventDefault();
    select(tabs[(moves[event.key] + tabs.length) % tabs.length], true);
  });
  return { select: (tab) => select(tab, false) };
}

/** The text of an instant, in the reader's own language and time zone. */
export function when(iso) {
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}
