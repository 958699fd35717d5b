"""Signing in through the server's developer mailbox (./data/mail), as the
README's walk-through does, for the API fuzzing and client runs."""

import time
from pathlib import Path

import requests


def messages(mail: Path) -> set:
    """The messages in the mailbox now."""
    return set(mail.glob("*.eml"))


def code_for(mail: Path, address: str, before: set, timeout: float = 15) -> tuple[str, str]:
    """The six digits in the subject of the newest message to `address`
    that was not in `before`, and the raw message."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        for path in sorted(messages(mail) - before, reverse=True):
            raw = path.read_text(errors="replace")
            if f"To: {address}" in raw:
                subject = next(l for l in raw.splitlines() if l.startswith("Subject: "))
                digits = subject[len("Subject: "):][:6]
                if digits.isdigit():
                    return digits, raw
        time.sleep(0.05)
    raise RuntimeError(f"no code arrived for {address}")


def sign_in(http: requests.Session, base: str, mail: Path, address: str) -> str:
    """Signs `address` in; the session token."""
    before = messages(mail)
    http.post(f"{base}/v1/auth/sign-in", json={"email": address}, timeout=30).raise_for_status()
    code, _ = code_for(mail, address, before)
    verified = http.post(f"{base}/v1/auth/verify", json={"email": address, "code": code}, timeout=30)
    verified.raise_for_status()
    return verified.json()["token"]
