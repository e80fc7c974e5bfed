#!/usr/bin/env python3
"""Distinct failures of a contract run, from schemathesis's NDJSON reports.

Usage: summarize.py OUT_DIR   (contract/out/PROFILE; reads OUT_DIR/*/ndjson-*.ndjson)

Groups by check, then by operation and failure title; for each it shows how
often it happened, in which part, one response (status + body excerpt) and a
curl that reproduces it (the smallest request seen). Writes OUT_DIR/failures.md
and prints it.
"""

from __future__ import annotations

import base64
import collections
import json
import pathlib
import re
import shlex
import sys


def decode(blob) -> bytes:
    if not blob:
        return b""
    if isinstance(blob, dict) and "$base64" in blob:
        return base64.b64decode(blob["$base64"])
    if isinstance(blob, dict) and "string" in blob:
        return blob["string"].encode()
    return str(blob).encode()


def reason(body: bytes) -> str:
    """What a problem+json answer is about: its code and the fields it names."""
    try:
        problem = json.loads(body)
    except ValueError:
        return ""
    if not isinstance(problem, dict) or "code" not in problem:
        return ""
    fields = sorted({e.get("field", "?") for e in problem.get("errors") or [] if isinstance(e, dict)})
    if fields:
        return f"{problem['code']}: {', '.join(fields)}"
    detail = re.sub(r"\(line \d+, column \d+\)|\d+", "N", str(problem.get("detail", "")))
    return f"{problem['code']}: {detail[:80]}"


def curl(request: dict) -> str:
    parts = ["curl", "-i", "-X", request["method"]]
    for name, values in (request.get("headers") or {}).items():
        if name.lower() in ("user-agent", "accept-encoding", "connection", "content-length", "x-schemathesis-testcaseid"):
            continue
        for value in values:
            parts += ["-H", f"{name}: {value}"]
    body = decode(request.get("body"))
    if body:
        try:
            parts += ["--data-binary", body.decode()]
        except UnicodeDecodeError:
            parts += ["--data-binary", repr(body)]
    parts.append(request["uri"])
    return " ".join(shlex.quote(p) for p in parts)


def main() -> None:
    out = pathlib.Path(sys.argv[1])
    groups: dict = collections.defaultdict(lambda: {"count": 0, "parts": set(), "best": None})
    totals = collections.Counter()
    for report in sorted(out.glob("*/ndjson-*.ndjson")):
        part = report.parent.name
        for line in report.open():
            event = json.loads(line)
            finished = event.get("ScenarioFinished")
            if not finished:
                continue
            recorder = finished.get("recorder") or {}
            totals[part] += len(recorder.get("cases") or {})
            for case_id, checks in (recorder.get("checks") or {}).items():
                for check in checks:
                    if check.get("status") != "failure":
                        continue
                    failure = check["failure_info"]["failure"]
                    interaction = (recorder.get("interactions") or {}).get(case_id) or {}
                    request = interaction.get("request")
                    response = interaction.get("response") or {}
                    first = failure.get("message", "").splitlines()[0] if failure.get("message") else ""
                    extra = None
                    if check["name"] == "unsupported_method" and request is not None:
                        # One entry per path: which undeclared methods answered what.
                        extra = request["method"]
                        first = ""
                    if check["name"] in ("positive_data_acceptance", "status_code_conformance", "not_a_server_error"):
                        # Split by what the server complained about (fields of a 422, kind of 400).
                        first = reason(decode(response.get("content"))) or first
                    key = (
                        check["name"],
                        failure.get("code", ""),
                        failure.get("operation", recorder.get("label", "?")),
                        failure.get("title", ""),
                        first,
                        response.get("status_code"),
                    )
                    group = groups[key]
                    group["count"] += 1
                    group["parts"].add(part)
                    if extra:
                        group.setdefault("methods", set()).add(extra)
                    if request is None:
                        continue
                    size = len(curl(request))
                    if group["best"] is None or size < group["best"][0]:
                        body = decode(response.get("content")).decode("utf-8", "replace")
                        group["best"] = (size, curl(request), response.get("status_code"), body[:400], failure)

    lines = [f"# Distinct failures in {out}", ""]
    lines.append("Cases per part: " + ", ".join(f"{p} {n}" for p, n in sorted(totals.items())))
    by_check = collections.defaultdict(list)
    for key, group in groups.items():
        by_check[(key[0], key[1])].append((key, group))
    lines.append(f"Distinct failures: {len(groups)}")
    lines.append("")
    for (check, code), items in sorted(by_check.items()):
        lines.append(f"## {code} {check} ({len(items)})")
        lines.append("")
        for key, group in sorted(items, key=lambda kv: kv[0][2]):
            _, _, operation, title, first, status = key
            about = f" ({first})" if first else ""
            lines.append(
                f"### {operation}: {title} -> {status}{about}  [{group['count']}x in {','.join(sorted(group['parts']))}]"
            )
            if group.get("methods"):
                lines.append(f"- undeclared methods tried: {', '.join(sorted(group['methods']))}")
            if group["best"]:
                _, command, status, body, failure = group["best"]
                message = failure.get("message", "").strip().replace("\n", " | ")
                lines.append(f"- check says: {message[:600]}")
                lines.append(f"- response {status}: `{body.strip()[:400]}`")
                lines.append(f"- reproduce: `{command[:1500]}`")
            lines.append("")
    text = "\n".join(lines)
    (out / "failures.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
