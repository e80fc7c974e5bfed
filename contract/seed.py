#!/usr/bin/env python3
"""Seed a running delivery server through its HTTP API (stdlib only).

Creates one shop for a schemathesis run and prints `export NAME=value`
lines for run.sh to `eval`:

  sign up a seller -> read-write API key -> a `local` storage connection
  (with a small file written into its folder) -> an article linked to that
  file -> a paid order -> its portal code (portal-link route) and the grant
  id of the file (portal view) -> invoice settings + an issued invoice, and
  the portal's invoice download switched on, so `/api/portal/{code}/invoice`
  can answer 200.

Usage: seed.py BASE_URL LABEL [DICT_DIR]
"""

from __future__ import annotations

import json
import pathlib
import shlex
import sys
import urllib.error
import urllib.request
import uuid

PASSWORD = "contract-fuzzing-password-1"


def call(base: str, method: str, path: str, body=None, token: str | None = None, want=(200, 201)):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    req.add_header("Accept", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=30) as res:
            status, text = res.status, res.read().decode()
    except urllib.error.HTTPError as err:
        status, text = err.code, err.read().decode()
    if status not in want:
        sys.exit(f"seed: {method} {path} -> {status}: {text[:500]}")
    return json.loads(text) if text else None


def main() -> None:
    base, label = sys.argv[1].rstrip("/"), sys.argv[2]
    email = f"{label}-{uuid.uuid4().hex[:8]}@example.com"
    tokens = call(
        base,
        "POST",
        "/api/v1/auth/signup",
        {"shop_name": f"Contract {label}", "email": email, "password": PASSWORD},
        want=(201,),
    )
    access = tokens["access_token"]

    key = call(base, "POST", "/api/v1/api-keys", {"name": f"contract {label}", "scope": "read_write"}, access, (201,))

    conn = call(
        base,
        "POST",
        "/api/v1/storage-connections",
        {"kind": "local", "name": "Contract files", "root_prefix": "contract/"},
        access,
        (201,),
    )
    folder = pathlib.Path(conn["local_path"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "handbook.pdf").write_bytes(b"%PDF-1.7 contract fuzzing sample\n")

    # No download limit, so the grant keeps working however often the fuzzer downloads.
    article = call(
        base, "POST", "/api/v1/articles", {"sku": "CONTRACT-1", "title": "Handbook", "price": "9.99"}, access, (201,)
    )
    linked = call(
        base,
        "POST",
        f"/api/v1/articles/{article['id']}/files",
        {"connection_id": conn["id"], "object_key": "handbook.pdf"},
        access,
        (201,),
    )

    order = call(
        base,
        "POST",
        "/api/v1/orders",
        {
            "channel": "shopify",
            "external_ref": f"contract-{label}",
            "customer": {"name": "Jörg Müller", "email": "joerg@example.com", "language": "de"},
            "billing_address": {
                "street": "Hauptstraße 1",
                "postal_code": "10115",
                "city": "Berlin",
                "country": "de",
            },
            "items": [{"sku": "CONTRACT-1", "quantity": 1}],
            "status": "paid",
        },
        key["secret"],
        (201,),
    )
    link = call(base, "GET", f"/api/v1/orders/{order['id']}/portal-link", token=access)
    code = link["code"]
    view = call(base, "GET", f"/api/portal/{code}")
    grant_id = view["order"]["items"][0]["files"][0]["grant_id"]

    # Optional extras: an issued invoice the portal may hand out.
    invoice_id = ""
    try:
        call(
            base,
            "PUT",
            "/api/v1/invoice-settings",
            {
                "company_name": "Contract GmbH",
                "address": "Hauptstraße 1\n10115 Berlin\nDeutschland",
                "contact": "shop@example.com",
                "bank_details": "DE02 1203 0000 0000 2020 51",
                "footer": "",
                "number_prefix": "RE-",
                "number_with_year": True,
                "number_digits": 5,
                "issue_mode": "manual",
                "tax_number": None,
                "vat_id": None,
            },
            access,
        )
        invoice = call(base, "POST", f"/api/v1/orders/{order['id']}/invoice", token=access)
        invoice_id = invoice["id"]
        portal = call(base, "GET", "/api/v1/portal-settings", token=access)
        portal.pop("updated_at", None)
        portal["invoice_download"] = True
        call(base, "PUT", "/api/v1/portal-settings", portal, access)
    except SystemExit as err:  # keep going: the invoice is a nice-to-have
        print(f"# seed: invoice step skipped: {err}", file=sys.stderr)

    def first_id(path: str) -> str:
        items = call(base, "GET", path, token=access).get("items") or []
        return items[0]["id"] if items else ""

    values = {
        "SELLER_EMAIL": email,
        "SELLER_PASSWORD": PASSWORD,
        "SELLER_TOKEN": access,
        "API_KEY": key["secret"],
        "API_KEY_ID": key["id"],
        "CONNECTION_ID": conn["id"],
        "ARTICLE_ID": article["id"],
        "ORDER_ID": order["id"],
        "PORTAL_CODE": code,
        "GRANT_ID": grant_id,
        "INVOICE_ID": invoice_id,
        "FILE_ID": linked["id"],
        "RULE_ID": first_id("/api/v1/rules"),
        "TEMPLATE_ID": first_id("/api/v1/templates"),
        "MESSAGE_ID": first_id(f"/api/v1/orders/{order['id']}/messages"),
    }
    for name, value in values.items():
        print(f"export {name}={shlex.quote(str(value))}")

    # Dictionaries (libFuzzer format) that schemathesis.toml binds to the `{id}`
    # path parameters: the fuzzer then also hits this shop's real resources.
    if len(sys.argv) > 3:
        folder = pathlib.Path(sys.argv[3])
        folder.mkdir(parents=True, exist_ok=True)
        for name in ("ORDER_ID", "ARTICLE_ID", "FILE_ID", "CONNECTION_ID", "INVOICE_ID", "RULE_ID", "TEMPLATE_ID", "MESSAGE_ID"):
            value = values[name] or str(uuid.uuid4())
            (folder / f"{name.lower()}.dict").write_text(json.dumps(value) + "\n")


if __name__ == "__main__":
    main()
