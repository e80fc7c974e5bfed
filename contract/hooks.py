"""Schemathesis hooks for the delivery contract run (loaded via SCHEMATHESIS_HOOKS=hooks).

Environment (set by run.sh from seed.py's output):
  CONTRACT_AUTH     seller | apikey | none  -- how protected operations authenticate
  CONTRACT_BASE     the server's base URL (for logging in again)
  SELLER_EMAIL, SELLER_PASSWORD, SELLER_TOKEN   the seeded seller
  API_KEY           the seeded read-write API key (`dlv_...`)

The `{code}` / `{grant_id}` path parameters of `/api/portal/...` are fixed in
schemathesis.toml (`[[operations]] parameters`), not here.
"""

from __future__ import annotations

import ast
import json
import os
import random
import re
import threading
import urllib.request

import schemathesis

MODE = os.environ.get("CONTRACT_AUTH", "seller")
BASE = os.environ.get("CONTRACT_BASE", "").rstrip("/")

# Operations that declare no security requirement in openapi.yaml: no token is attached.
PUBLIC = r"^/api/(portal/|files/|health$)|^/metrics$|^/api/v1/auth/(signup|login|refresh)$"

# CPython 3.11 builds its AST objects with a recursion counter shared by all
# threads (gh-106905): two schemathesis workers describing a strategy's lambda
# at once (hypothesis parses its source) can fail with "AST constructor
# recursion depth mismatch", a crash of the fuzzer, not a finding. One parse
# at a time; it only runs while hypothesis builds its strategies.
_ast_lock = threading.Lock()
_ast_parse = ast.parse


def _parse_one_at_a_time(*args, **kwargs):
    with _ast_lock:
        return _ast_parse(*args, **kwargs)


ast.parse = _parse_one_at_a_time

_lock = threading.Lock()
_token = {"value": os.environ.get("SELLER_TOKEN", "")}


def _login() -> str:
    """A fresh access token for the seeded seller (after a fuzzed logout revoked the session)."""
    body = json.dumps({"email": os.environ["SELLER_EMAIL"], "password": os.environ["SELLER_PASSWORD"]}).encode()
    req = urllib.request.Request(
        BASE + "/api/v1/auth/login",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "Accept": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=30) as res:
        return json.loads(res.read())["access_token"]


if MODE in ("seller", "apikey"):

    @schemathesis.auth(refresh_interval=3600, retry_on=[401]).skip_for(path_regex=PUBLIC)
    class DeliveryAuth:
        """Bearer auth: the seller's JWT (re-login on 401, since `POST /auth/logout` is fuzzed too) or the API key."""

        first = True

        def get(self, case, context):
            if MODE == "apikey":
                return os.environ["API_KEY"]
            with _lock:
                # The first call uses the token from seeding; later calls (cache expired or a 401
                # after a fuzzed logout) sign in again.
                if DeliveryAuth.first and _token["value"]:
                    DeliveryAuth.first = False
                    return _token["value"]
                _token["value"] = _login()
                return _token["value"]

        def set(self, case, data, context):
            case.headers = case.headers or {}
            case.headers["Authorization"] = f"Bearer {data}"


_PORTAL = re.compile(r"^/api/(portal|files)/")


@schemathesis.hook
def before_call(context, case, kwargs):
    """Spread portal requests over many (fake) client addresses.

    The portal limiter (`PortalLimiter` in backend/src/portal/routes.rs: 20 unknown
    codes per IP, then one per 3 s) has no setting, so the test server runs with
    DELIVERY_TRUST_FORWARDED_FOR=true and each portal request names its own
    loopback address in X-Forwarded-For. Only a header: all traffic goes to the
    one local server. The per-order message limit (5 per 5 min) still applies.
    """
    if _PORTAL.match(case.operation.path):
        case.headers = case.headers or {}
        case.headers["X-Forwarded-For"] = (
            f"127.{random.randint(1, 254)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
        )
