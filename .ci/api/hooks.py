"""Schemathesis hooks for the API fuzzing run (see fuzz.py).

They give each generated request what a real client would have: the right
credentials for its security scheme, and, for about half of the requests
to an operation that needs something to exist first (a pending picture, a
code in the mailbox, a revert link, a deletion), that thing, made through
the API just before. The other half stay as generated. Every answer is
written to a log, so fuzz.py can check that each authenticated operation
got at least one 2xx.
"""

import json
import os
import random
import struct
import time
import zlib
from pathlib import Path

import requests
import schemathesis

import devmail

BASE = os.environ["PROFILE_FUZZ_BASE"]
MAIL = Path(os.environ["PROFILE_FUZZ_MAIL_DIR"])
OPERATOR_KEY = os.environ["PROFILE_FUZZ_OPERATOR_KEY"]
SERVICE_KEY = os.environ["PROFILE_FUZZ_SERVICE_KEY"]
LOG = Path(os.environ["PROFILE_FUZZ_LOG"])
PURPOSES = ["product_news", "event_reminders", "newsletter", "usage_analytics"]

chance = random.Random(int(os.environ.get("PROFILE_FUZZ_SEED", "1")))
# The security schemes of each operation, from the document under test.
SECURITY = {
    f"{method.upper()} {path}": {scheme for need in op.get("security", []) for scheme in need}
    for path, item in requests.get(f"{BASE}/openapi.json", timeout=30).json()["paths"].items()
    for method, op in item.items()
}
counter = iter(range(1, 10**9))
http = requests.Session()


def png(size=16):
    """A real PNG: a small red-over-blue square."""
    rows = b"".join(
        b"\x00" + bytes((255, 0, 0) if y < size // 2 else (0, 0, 255)) * size for y in range(size)
    )

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


PICTURE = png()


def sign_in(address):
    return devmail.sign_in(http, BASE, MAIL, address)


def fresh_account():
    address = f"fuzz-{os.getpid()}-{next(counter)}@example.com"
    return address, sign_in(address)


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


class Main:
    """The account most operations run as; its address moves with email changes."""

    token = os.environ["PROFILE_FUZZ_TOKEN"]


def prepare(name, case):
    """Gives the request what it needs to be able to succeed."""
    token = Main.token
    if name == "PUT /v1/me/consents/{purpose}":
        case.path_parameters = {"purpose": chance.choice(PURPOSES)}
        case.body = {"granted": chance.random() < 0.5}
    elif name == "PATCH /v1/me":
        case.body = {"display_name": f"Fuzz {next(counter)}"}
    elif name == "POST /v1/me/avatar/pending":
        case.body = {"file": PICTURE}
    elif name in ("POST /v1/me/avatar/pending/save", "DELETE /v1/me/avatar/pending"):
        files = {"file": ("me.png", PICTURE, "image/png")}
        http.post(f"{BASE}/v1/me/avatar/pending", files=files, headers=bearer(token)).raise_for_status()
    elif name == "POST /v1/me/email-change":
        case.body = {"new_email": f"fuzz-new-{next(counter)}@example.com"}
    elif name == "POST /v1/me/email-change/confirm":
        address = f"fuzz-moved-{next(counter)}@example.com"
        before = devmail.messages(MAIL)
        r = http.post(f"{BASE}/v1/me/email-change", json={"new_email": address}, headers=bearer(token))
        r.raise_for_status()
        case.body = {"code": devmail.code_for(MAIL, address, before)[0]}
    elif name == "POST /v1/email-change/revert":
        address, other = fresh_account()
        moved = f"fuzz-reverted-{next(counter)}@example.com"
        before = devmail.messages(MAIL)
        http.post(f"{BASE}/v1/me/email-change", json={"new_email": moved}, headers=bearer(other)).raise_for_status()
        code, _ = devmail.code_for(MAIL, moved, before)
        before = devmail.messages(MAIL)
        r = http.post(f"{BASE}/v1/me/email-change/confirm", json={"code": code}, headers=bearer(other))
        r.raise_for_status()
        notice = wait_for_notice(address, before)
        case.body = {"token": notice}
    elif name == "GET /v1/deletion-receipts/{id}":
        address, other = fresh_account()
        r = http.request("DELETE", f"{BASE}/v1/me", json={"confirm": address}, headers=bearer(other))
        r.raise_for_status()
        case.path_parameters = {"id": r.json()["receipt_id"]}
    elif name in ("GET /v1/unsubscribe/{token}", "POST /v1/unsubscribe/{token}"):
        link = listed_link()
        case.path_parameters = {"token": link["unsubscribe_url"].rsplit("/", 1)[1]}
    elif name == "GET /v1/operator/purposes/{purpose}/recipients":
        case.path_parameters = {"purpose": "newsletter"}
        case.query = {}
    elif name == "DELETE /v1/operator/purposes/{purpose}/recipients/{user_id}/unsubscribe-link":
        link = listed_link()
        case.path_parameters = {"purpose": "newsletter", "user_id": link["user_id"]}
    elif name == "GET /v1/profiles/{user_id}":
        case.path_parameters = {"user_id": main_user_id()}
        case.headers = {**(case.headers or {}), "If-None-Match": chance.choice(['"x"', "*", '"y", W/"z"'])}
    elif name == "POST /v1/profiles/batch":
        unknown = "0190e2c4-7c2a-7000-8000-000000000000"
        case.body = {"ids": chance.sample([main_user_id(), unknown], 2)}
    elif name == "POST /v1/operator/suppressions/check":
        case.body = {"email": f"fuzz-{next(counter)}@example.com"}
    elif name == "DELETE /v1/me":
        address, other = fresh_account()
        case.body = {"confirm": address}
        return other
    elif name in ("GET /v1/me/deletion", "DELETE /v1/me/deletion"):
        address, other = fresh_account()
        http.request("DELETE", f"{BASE}/v1/me", json={"confirm": address}, headers=bearer(other)).raise_for_status()
        return sign_in(address)
    return None


def main_user_id():
    r = http.get(f"{BASE}/v1/me", headers=bearer(Main.token))
    r.raise_for_status()
    return r.json()["id"]


def wait_for_notice(address, before):
    """The revert token in the change notice to `address`."""
    deadline = time.time() + 15
    while time.time() < deadline:
        for path in sorted(devmail.messages(MAIL) - before, reverse=True):
            raw = path.read_text(errors="replace").replace("=\r\n", "").replace("=\n", "").replace("=3D", "=")
            if f"To: {address}" in raw and "revert?token=" in raw:
                start = raw.index("revert?token=") + len("revert?token=")
                return raw[start:start + 64]
        time.sleep(0.05)
    raise RuntimeError("no change notice arrived")


class Listed:
    """An account that grants the newsletter, so it is listed with a link."""

    token = None


def listed_link():
    if Listed.token is None:
        Listed.token = fresh_account()[1]
    r = http.put(f"{BASE}/v1/me/consents/newsletter", json={"granted": True}, headers=bearer(Listed.token))
    r.raise_for_status()
    r = http.get(f"{BASE}/v1/operator/purposes/newsletter/recipients", headers=bearer(OPERATOR_KEY))
    r.raise_for_status()
    lines = [json.loads(l) for l in r.text.splitlines() if l.strip()]
    return next(l for l in lines if "unsubscribe_url" in l)


def session_ending(name):
    return name in ("POST /v1/auth/sign-out", "DELETE /v1/me", "POST /v1/email-change/revert")


@schemathesis.hook
def before_call(context, case, kwargs):
    name = f"{case.operation.method.upper()} {case.operation.path}"
    schemes = SECURITY.get(name, set())
    token = Main.token
    if chance.random() < 0.5:
        prepared = prepare(name, case)
        if prepared is not None:
            token = prepared
    elif name in ("POST /v1/auth/sign-out", "DELETE /v1/me", "GET /v1/me/deletion", "DELETE /v1/me/deletion"):
        # Never the main session: these end it.
        token = fresh_account()[1]
    if case.headers is None:
        case.headers = {}
    if "OperatorKey" in schemes:
        case.headers["Authorization"] = f"Bearer {OPERATOR_KEY}"
    elif "ServiceKey" in schemes:
        case.headers["Authorization"] = f"Bearer {SERVICE_KEY}"
    elif "BearerAuth" in schemes:
        case.headers["Authorization"] = f"Bearer {token}"


@schemathesis.hook
def after_call(context, case, response):
    operation = case.operation
    name = f"{operation.method.upper()} {operation.path}"
    with LOG.open("a") as log:
        log.write(json.dumps({"operation": name, "status": response.status_code}) + "\n")
