#!/usr/bin/env python3
"""API fuzzing in CI: schemathesis against the built (debug) server.

Starts profile-server on a free port with its own data directory (limits
raised so the fuzzer is not rate-limited), signs in, and runs `st run`
over /openapi.json twice with a fixed seed: first every operation that
keeps the session, then those that end sessions (sign-out, deletion). The
checks are not_a_server_error, status_code_conformance,
response_schema_conformance and content_type_conformance; any finding
fails. Then every operation that needs a session, the operator key or a
service key must have been answered 2xx at least once (hooks.py gives about half of the
requests what they need to succeed). Usage: run.py [path/to/profile-server]
"""

import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import requests

import devmail
import server

HERE = Path(__file__).resolve().parent
CHECKS = "not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance"
SEED = "1"
OPERATOR_KEY = "fuzz-operator-key"
# SHA-256 of OPERATOR_KEY.
OPERATOR_KEY_SHA256 = "9cb5fd2bb659571d57e470fea8bc16de9367d3f0665b38ca5338059a68993a4c"
SERVICE_KEY = "fuzz-service-key"
# SHA-256 of SERVICE_KEY: a service client with the profiles:read scope.
SERVICE_KEY_SHA256 = "2a3475df9cf61975053edd6641cfab7d4ed2ac6b88b838b5644f381ad6114804"
SESSION_ENDING = ["POST /v1/auth/sign-out", "DELETE /v1/me", "GET /v1/me/deletion", "DELETE /v1/me/deletion"]
LIMITS = [
    "SIGN_IN_PER_IP", "SIGN_IN_PER_ADDRESS", "VERIFY_PER_IP", "VERIFY_PER_ADDRESS",
    "OPERATOR_KEY_FAILURES_PER_IP", "PICTURE_UPLOADS_PER_USER", "EXPORTS_PER_USER",
    "SERVICE_KEY_FAILURES_PER_IP",
]


def operations(base):
    spec = requests.get(f"{base}/openapi.json", timeout=30).json()
    for path, item in spec["paths"].items():
        for method, op in item.items():
            schemes = {scheme for need in op.get("security", []) for scheme in need}
            yield f"{method.upper()} {path}", schemes


def st_pass(base, work, env, names, exclude):
    """One `st run`; its exit status."""
    args = ["st", "run", f"{base}/openapi.json", "--checks", CHECKS, "--seed", SEED, "--workers", "1",
            "--max-examples", os.environ.get("PROFILE_FUZZ_MAX_EXAMPLES", "25"), "--warnings", "off"]
    for name in names:
        method, path = name.split(" ", 1)
        flag = "--exclude-name" if exclude else "--include-name"
        args += [flag, f"{method} {path}"]
    print("+", " ".join(args), flush=True)
    return subprocess.run(args, cwd=work, env=env).returncode


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else str(server.DEFAULT_BINARY)
    settings = {
        "PROFILE_OPERATOR_API_KEY_SHA256": OPERATOR_KEY_SHA256,
        "PROFILE_DELETION_GRACE_SECS": "3600",
        "PROFILE_DELETION_SUPPRESS_ERASED_ADDRESSES": "true",
        "PROFILE_EMAIL_CHANGE_RESEND_COOLDOWN_SECS": "0",
        "PROFILE_EMAIL_CHANGE_CODES_PER_USER_PER_HOUR": "100000",
        "PROFILE_EMAIL_CHANGE_CODES_PER_ADDRESS_PER_HOUR": "100000",
        **{f"PROFILE_LIMITS_{limit}_MAX": "1000000" for limit in LIMITS},
    }
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        data = work / "data"
        data.mkdir()
        config = work / "profile.toml"
        config.write_text(
            '[[services]]\nid = "fuzz"\nscopes = ["profiles:read"]\n'
            f'key_sha256 = "{SERVICE_KEY_SHA256}"\n'
        )
        settings["PROFILE_CONFIG"] = str(config)
        running, base = server.start(binary, data, settings)
        try:
            env = dict(os.environ)
            env.update({
                "PROFILE_FUZZ_BASE": base,
                "PROFILE_FUZZ_MAIL_DIR": str(data / "mail"),
                "PROFILE_FUZZ_OPERATOR_KEY": OPERATOR_KEY,
                "PROFILE_FUZZ_SERVICE_KEY": SERVICE_KEY,
                "PROFILE_FUZZ_LOG": str(work / "answers.jsonl"),
                "PROFILE_FUZZ_SEED": SEED,
                "PYTHONPATH": f"{HERE}{os.pathsep}{env.get('PYTHONPATH', '')}",
                "SCHEMATHESIS_HOOKS": "hooks",
            })
            env["PROFILE_FUZZ_TOKEN"] = devmail.sign_in(requests.Session(), base, data / "mail", "fuzz-main@example.com")
            first = st_pass(base, work, env, SESSION_ENDING, exclude=True)
            second = st_pass(base, work, env, SESSION_ENDING, exclude=False)
            seen = defaultdict(lambda: defaultdict(int))
            for line in (work / "answers.jsonl").read_text().splitlines():
                answer = json.loads(line)
                seen[answer["operation"]][answer["status"]] += 1
            missing = []
            print("\nanswers per operation (status: count):")
            for name, schemes in operations(base):
                statuses = dict(sorted(seen[name].items()))
                print(f"  {name}: {statuses}")
                if schemes & {"BearerAuth", "OperatorKey", "ServiceKey"} and not any(200 <= s < 300 for s in statuses):
                    missing.append(name)
            total = sum(sum(s.values()) for s in seen.values())
            print(f"\n{total} requests; first pass exit {first}, second pass exit {second}")
            if missing:
                print("authenticated operations never answered 2xx:\n  " + "\n  ".join(missing))
            if first or second or missing:
                print("\nserver log tail:\n" + server.log_tail(data))
                sys.exit(1)
        finally:
            server.stop(running)


if __name__ == "__main__":
    main()
