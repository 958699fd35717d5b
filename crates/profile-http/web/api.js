// The JSON API as the page uses it: the session cookie and the session's
// CSRF token go with every request, and a refusal comes
// back as an ApiError whose `code` is the API's stable error code.

let csrfToken = null;

/** A request the API refused, or one that never reached it. */
export class ApiError extends Error {
  constructor(status, code, message, retryAfter) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

/**
 * Sends one request. `body` is sent as JSON, or as it is when it is a
 * FormData. Resolves to the parsed answer (null for an empty one), or to the
 * Response itself with `{ raw: true }`.
 */
export async function call(method, path, body, { raw = false } = {}) {
  const headers = { Accept: "application/json" };
  const init = { method, headers, credentials: "same-origin", cache: "no-store" };
  if (body instanceof FormData) {
    init.body = body;
  } else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  // Changes need it; so does the export, which counts against a limit.
  if (csrfToken) {
    headers["X-CSRF-Token"] = csrfToken;
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, "network", "the service could not be reached", null);
  }
  if (!response.ok) {
    let answer = {};
    try {
      answer = await response.json();
    } catch {
      // Not JSON (a proxy's error page, say): the status says enough.
    }
    const wait = Number(response.headers.get("Retry-After"));
    throw new ApiError(
      response.status,
      answer.code || `http_${response.status}`,
      answer.message || response.statusText,
      Number.isFinite(wait) && wait > 0 ? wait : null,
    );
  }
  if (raw) return response;
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

/**
 * Reads the session and keeps its CSRF token. Rejects with an ApiError of
 * status 401 when nobody is signed in.
 */
export async function loadSession() {
  const session = await call("GET", "/v1/auth/session");
  csrfToken = session.csrf_token || null;
  return session;
}

/** Whether the error means the session is gone (sign in again). */
export function isSignedOut(error) {
  return error instanceof ApiError && error.status === 401;
}

function waitText(seconds) {
  if (!seconds) return "a little while";
  if (seconds < 90) return `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return minutes < 90 ? `${minutes} minutes` : `${Math.ceil(minutes / 60)} hours`;
}

const MESSAGES = {
  network: "The service can't be reached. Check your connection and try again.",
  internal: "Something went wrong on our side. Nothing was changed; please try again.",
  rate_limited: (e) => `Too many attempts. Please wait ${waitText(e.retryAfter)} and try again.`,
  invalid_email: "Enter an email address such as name@example.com.",
  invalid_code_format: "The code is the six digits from the email.",
  invalid_code: "That code isn't right, or it has expired. Check the newest email, or ask for a new code.",
  code_expired: "That code has expired. Ask for a new one.",
  too_many_attempts: (e) => `Too many wrong codes. Please wait ${waitText(e.retryAfter)} and try again.`,
  account_being_deleted: "This account is being deleted, so it can no longer be signed in to.",
  address_awaiting_revert:
    "This address can't sign in for now: the account it belonged to changed its address recently. " +
    "Use the link in the email we sent to it, or try again later.",
  invalid_display_name: "Use 1 to 64 characters, without invisible or control characters.",
  same_email: "That is already your login email.",
  email_taken: "That address belongs to another account.",
  no_pending_email_change: "There is no change waiting for a code any more. Start again.",
  reauthentication_required: "For your safety, please sign in again first, then try once more.",
  picture_empty: "That file is empty. Choose a picture.",
  picture_too_large: "That file is too large. Choose a smaller picture.",
  picture_too_many_pixels: "That picture is too big (too many pixels). Choose a smaller one.",
  picture_unsupported_format: "That kind of file can't be used. Choose a JPEG, PNG, WebP or GIF picture.",
  picture_corrupt: "That picture couldn't be read; the file may be damaged.",
  picture_bad_crop: "That part of the picture can't be used. Try another picture.",
  no_pending_picture: "The uploaded picture is no longer there. Upload it again.",
  purpose_changed: "The text of this choice was just updated. Please read it again.",
  unknown_purpose: "This choice no longer exists. Reload the page.",
  too_many_exports: (e) =>
    `You have downloaded your data several times in the last hour. Please wait ${waitText(e.retryAfter)}.`,
  confirmation_mismatch: "That isn't your login email. Type it exactly as it is shown above.",
  deletion_in_progress: "Your profile is already being deleted.",
  deletion_started: "The deletion has already started and can no longer be cancelled.",
  no_deletion_pending: "No deletion is waiting any more.",
  csrf_token_invalid: "Your page is out of date. Reload it and try again.",
  cross_site_request: "Your page is out of date. Reload it and try again.",
  payload_too_large: "That is too large to send.",
  account_not_found: "This account no longer exists. Sign in to start again.",
  unauthenticated: "You are signed out. Sign in again.",
  session_invalid: "You are signed out. Sign in again.",
};

/** A sentence for a person about what went wrong. */
export function explain(error) {
  const known = error instanceof ApiError ? MESSAGES[error.code] : undefined;
  if (typeof known === "function") return known(error);
  if (known) return known;
  if (error instanceof ApiError && error.status >= 500) return MESSAGES.internal;
  return "That didn't work. Please try again.";
}
