"""Starts the built profile-server on a free port with its own data
directory, for the API fuzzing and client runs."""

import os
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BINARY = ROOT / "target/debug/profile-server"


def start(binary: str, data: Path, extra: dict) -> tuple[subprocess.Popen, str]:
    """The running server and its base URL; `extra` adds PROFILE_* settings."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PROFILE_BIND": "127.0.0.1:0",
        "PROFILE_DATA_DIR": str(data),
        "PROFILE_OUTBOX_POLL_INTERVAL_MS": "50",
        "RUST_LOG": "warn,profile=info",
        **extra,
    }
    log_path = data / "server.log"
    with log_path.open("w") as log:
        server = subprocess.Popen([binary, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.time() + 60
    while time.time() < deadline:
        text = log_path.read_text()
        if "bound=" in text:
            port = text.split("bound=")[1].split()[0].rsplit(":", 1)[1]
            base = f"http://127.0.0.1:{port}"
            try:
                if requests.get(f"{base}/readyz", timeout=2).status_code == 200:
                    return server, base
            except requests.ConnectionError:
                pass
        if server.poll() is not None:
            sys.exit(f"the server exited:\n{text}")
        time.sleep(0.1)
    server.kill()
    sys.exit("the server did not become ready")


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    server.wait(timeout=30)


def log_tail(data: Path, lines: int = 20) -> str:
    return "\n".join((data / "server.log").read_text().splitlines()[-lines:])
