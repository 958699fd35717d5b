#!/usr/bin/env python3
"""Typed clients from docs/openapi.json, as developers of other services
would make them: openapi-python-client (PyPI) and @hey-api/openapi-ts
(npm), both pinned; any warning of either generator fails, the TypeScript
client must type-check with `tsc --strict`, and the Python client drives
the built server through sign-in, reading and renaming the profile, and
the consents. Usage: clients.py [path/to/profile-server]
"""

import importlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import requests

import devmail
import server

HERE = Path(__file__).resolve().parent
DOCUMENT = server.ROOT / "docs/openapi.json"


def run(args, cwd, what):
    """Runs a generator; its output must hold no warning."""
    print("+", " ".join(map(str, args)), flush=True)
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    output = done.stdout + done.stderr
    print(output)
    if done.returncode != 0:
        sys.exit(f"{what} failed")
    if "warn" in output.lower():
        sys.exit(f"{what} warned: the document must generate cleanly")


def python_client(work: Path) -> None:
    run(
        ["openapi-python-client", "generate", "--path", DOCUMENT, "--meta", "none",
         "--output-path", work / "profile_client", "--config", HERE / "python-client.yaml"],
        work, "openapi-python-client",
    )


def typescript_client(work: Path) -> None:
    tools = HERE / "node_modules/.bin"
    run([tools / "openapi-ts", "-i", DOCUMENT, "-o", work / "ts", "-c", "@hey-api/client-fetch", "--no-log-file"],
        work, "@hey-api/openapi-ts")
    (work / "tsconfig.json").write_text(
        '{"compilerOptions": {"strict": true, "noEmit": true, "target": "es2022", "module": "esnext",'
        ' "moduleResolution": "bundler", "lib": ["es2022", "dom", "dom.iterable"], "skipLibCheck": false},'
        ' "include": ["ts/**/*.ts"]}'
    )
    run([tools / "tsc", "-p", work / "tsconfig.json"], work, "tsc on the TypeScript client")


def drive(work: Path, base: str, mail: Path) -> None:
    """Sign-in, the profile and the consents through the Python client."""
    sys.path.insert(0, str(work))
    pc = importlib.import_module("profile_client")
    auth = importlib.import_module("profile_client.api.auth")
    profile = importlib.import_module("profile_client.api.profile")
    consent = importlib.import_module("profile_client.api.consent")
    models = importlib.import_module("profile_client.models")
    for name in ["post_v1_auth_sign_in", "post_v1_auth_verify"]:
        importlib.import_module(f"profile_client.api.auth.{name}")
    for name in ["get_v1_me", "patch_v1_me"]:
        importlib.import_module(f"profile_client.api.profile.{name}")
    for name in ["get_v1_consent_purposes", "get_v1_me_consents", "put_v1_me_consents_purpose"]:
        importlib.import_module(f"profile_client.api.consent.{name}")

    anonymous = pc.Client(base_url=base, raise_on_unexpected_status=True)
    address = "client@example.com"
    before = devmail.messages(mail)
    started = auth.post_v1_auth_sign_in.sync(client=anonymous, body=models.SignInRequest(email=address))
    assert isinstance(started, models.SignInStarted), started
    code, _ = devmail.code_for(mail, address, before)
    session = auth.post_v1_auth_verify.sync(client=anonymous, body=models.VerifyRequest(email=address, code=code))
    assert isinstance(session, models.SessionCreated) and session.account_created, session
    client = pc.AuthenticatedClient(base_url=base, token=session.token, raise_on_unexpected_status=True)

    me = profile.get_v1_me.sync(client=client)
    assert isinstance(me, models.Profile), me
    assert me.email == address and me.display_name is None and me.picture.is_default, me
    renamed = profile.patch_v1_me.sync(client=client, body=models.ProfileChange(display_name="Ada Client"))
    assert isinstance(renamed, models.Profile) and renamed.display_name == "Ada Client", renamed
    refused = profile.patch_v1_me.sync(client=client, body=models.ProfileChange(display_name=" "))
    assert isinstance(refused, models.ErrorBody) and refused.code == "invalid_display_name", refused

    purposes = consent.get_v1_consent_purposes.sync(client=anonymous)
    assert purposes and all(isinstance(p, models.PurposeBody) for p in purposes), purposes
    first = purposes[0].id
    answered = consent.put_v1_me_consents_purpose.sync(
        first, client=client, body=models.ConsentChange(granted=True))
    assert isinstance(answered, models.ConsentBody) and answered.granted, answered
    listed = consent.get_v1_me_consents.sync(client=client)
    mine = {c.purpose.id: c for c in listed}
    assert mine[first].granted and mine[first].answered_at is not None, mine[first]
    assert all(not c.granted and c.answered_at is None for k, c in mine.items() if k != first)
    print(f"the Python client signed in, renamed the profile and answered {len(mine)} consents")


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else str(server.DEFAULT_BINARY)
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        python_client(work)
        typescript_client(work)
        data = work / "data"
        data.mkdir()
        running, base = server.start(binary, data, {})
        try:
            drive(work, base, data / "mail")
        except AssertionError:
            print("server log tail:\n" + server.log_tail(data))
            raise
        finally:
            server.stop(running)


if __name__ == "__main__":
    main()
