#!/usr/bin/env python3
"""`make bench` / `make bench-quick`: measures the product beside this
machine's own ceilings, in the same run, on SQLite and PostgreSQL.

For each database: seeds shops through the product's import API (files in
an S3-compatible server that checks signatures), starts the release
`delivery serve`, drives it with wrk from a separate process and pairs each
round with its ceiling (a minimal actix-web 302 handler; the raw grant
transaction and the portal page's read without HTTP; the import's rows
written again by the database itself; on PostgreSQL also pgbench running the
same statements). Writes bench/results/latest.{json,md}.

PostgreSQL comes from E2E_DATABASE_URL (a fresh database; see
scripts/with-postgres.sh); without it only SQLite runs.
"""

import argparse
import json
import os
import platform
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# BENCH_DELIVERY: another build of the server, for A/B runs against this one.
DELIVERY = os.environ.get("BENCH_DELIVERY") or os.path.join(ROOT, "target", "release", "delivery")
HELPER = os.path.join(ROOT, "target", "release", "delivery-bench")
LUA = os.path.join(ROOT, "bench", "wrk", "paths.lua")
RESULTS = os.path.join(ROOT, "bench", "results")
ACCESS_KEY, SECRET_KEY, BUCKET = "AKIABENCH", "bench-secret-key-0123456789", "shop-files"
FILE_NAME = "Übungsbuch.pdf"
PASSWORD = "correct horse battery staple"

PROFILES = {
    # Orders of the small and the big shop per database (seeding is bounded
    # by the import rate, see BENCHMARKS.md), seconds per measurement, rounds.
    "quick": {"sqlite": (10_000, 50_000), "postgres": (2_000, 10_000), "seconds": 3, "rounds": 1},
    "full": {"sqlite": (10_000, 1_000_000), "postgres": (10_000, 1_000_000), "seconds": 3,
             "rounds": 5},
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method, url, body=None, token=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=120) as res:
        text = res.read()
        return json.loads(text) if text else None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


NO_REDIRECT = urllib.request.build_opener(_NoRedirect)


def wait_for(url, seconds=60):
    """Until the server at `url` answers HTTP at all (any status)."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            NO_REDIRECT.open(urllib.request.Request(url, method="HEAD"), timeout=2)
            return
        except urllib.error.HTTPError:
            return
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    sys.exit(f"{url} did not answer within {seconds} s")


def run_json(cmd, env=None):
    """Runs a helper; its last output line is JSON. A failure shows its stderr."""
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd[:2])} failed ({done.returncode}):\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def rss_mb(pid):
    figures = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                figures[key] = int(value.split()[0]) / 1024
    return figures


def wrk(base, paths, connections, seconds, token=""):
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "-s", LUA, base,
         "--", paths, token],
        check=True, capture_output=True, text=True).stdout
    line = next(l for l in out.splitlines() if l.startswith("BENCH_JSON "))
    figures = json.loads(line[len("BENCH_JSON "):])
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    figures["errors"] = sum(figures[k] for k in
                            ("connect_errors", "read_errors", "write_errors", "status_errors"))
    return figures


class Servers:
    """Processes started for one database; all stopped by close()."""

    def __init__(self):
        self.procs = []

    def start(self, cmd, env=None, log=None):
        out = open(log, "ab") if log else subprocess.DEVNULL
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
        self.procs.append(proc)
        return proc

    def close(self):
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def seed_shop(base, s3_endpoint, email, shop, mails=True):
    tokens = http("POST", f"{base}/api/v1/auth/signup",
                  {"shop_name": shop, "email": email, "password": PASSWORD})
    token = tokens["access_token"]
    if not mails:
        # A shop with a million orders delivered their mails long ago; seeded
        # with its rules on, it would leave the worker 900 000 mails to write
        # during the measurements.
        for rule in http("GET", f"{base}/api/v1/rules", token=token)["items"]:
            body = {k: rule.get(k) for k in ("name", "trigger", "trigger_status", "template_name",
                                         "only_digital", "channels", "language", "min_total",
                                         "action", "repeatable")}
            http("PUT", f"{base}/api/v1/rules/{rule['id']}", dict(body, enabled=False), token)
    # Unlimited downloads without an end date, so load never runs into a limit.
    http("PUT", f"{base}/api/v1/portal-settings", {
        "enabled": True, "title": shop, "logo_url": None, "accent_color": "#0b7285",
        "welcome_text": "Willkommen", "footer_text": "", "default_download_limit": None,
        "validity_days": None, "invoice_download": False, "contact_form": True,
        "support_email": None}, token)
    connection = http("POST", f"{base}/api/v1/storage-connections", {
        "kind": "s3", "name": "Bucket", "endpoint": s3_endpoint, "bucket": BUCKET,
        "root_prefix": "downloads/", "path_style": True,
        "access_key_id": ACCESS_KEY, "secret_access_key": SECRET_KEY}, token)
    for sku, title in (("EBOOK", "Übungsbuch"), ("AUDIO", "Hörbuch")):
        article = http("POST", f"{base}/api/v1/articles",
                       {"sku": sku, "title": title, "price": "19.99"}, token)
        http("POST", f"{base}/api/v1/articles/{article['id']}/files",
             {"connection_id": connection["id"], "object_key": FILE_NAME}, token)
    return token


def import_orders(base, token, count, prefix):
    return run_json([HELPER, "import", "--base", base, "--token", token, "--orders", str(count),
                     "--batch", "500", "--concurrency", "2", "--prefix", prefix,
                     "--skus", "EBOOK,AUDIO"])


def import_big(base, token, count, name, database_url, chunks=10):
    """The big shop's orders in ten imports. Between them PostgreSQL's tables
    are analysed, as autovacuum does in production: the machine's PostgreSQL
    runs with autovacuum off, and without statistics the planner walks all of
    a shop's orders to find the batch's references (see BENCHMARKS.md)."""
    seconds = 0.0
    for chunk in range(chunks):
        seconds += import_orders(base, token, count // chunks, f"b{chunk}-")["seconds"]
        if name == "postgres":
            subprocess.run(["psql", "-q", database_url, "-c", "ANALYZE"], check=True,
                           capture_output=True)
    return {"orders": count, "seconds": seconds, "per_second": count / seconds}


def wait_for_outbox(database_url, seconds=300):
    """Until the outbox has no pending message left. Returns how many were
    pending at the start and how long they took: the worker's delivery rate
    (into the local mail folder), with nothing else running."""
    query = "SELECT count(*) FROM outbox_messages WHERE status = 'pending'"
    started = time.time()
    deadline = started + seconds
    first = None
    while time.time() < deadline:
        if database_url.startswith("sqlite://"):
            with sqlite3.connect(f"file:{database_url[len('sqlite://'):]}?mode=ro", uri=True) as db:
                pending = db.execute(query).fetchone()[0]
        else:
            pending = int(subprocess.run(["psql", "-qtA", database_url, "-c", query], check=True,
                                         capture_output=True, text=True).stdout.strip())
        if first is None:
            first = pending
        if pending == 0:
            elapsed = time.time() - started
            return {"mails": first, "seconds": elapsed,
                    "per_second": first / elapsed if first else 0.0}
        time.sleep(0.05)
    sys.exit(f"the outbox still had pending messages after {seconds} s")


def bench_database(name, database_url, profile, work):
    p = PROFILES[profile]
    servers = Servers()
    data = os.path.join(work, name)
    os.makedirs(os.path.join(data, "s3", BUCKET, "downloads"))
    with open(os.path.join(data, "s3", BUCKET, "downloads", FILE_NAME), "wb") as f:
        f.write(b"%PDF-1.7 " + os.urandom(64 * 1024))
    try:
        s3_port, port, ceiling_port = free_port(), free_port(), free_port()
        s3_endpoint = f"http://127.0.0.1:{s3_port}"
        servers.start([HELPER, "s3", "--bind", f"127.0.0.1:{s3_port}", "--dir",
                       os.path.join(data, "s3"), "--access-key", ACCESS_KEY,
                       "--secret-key", SECRET_KEY])
        base = f"http://127.0.0.1:{port}"
        env = dict(os.environ, DATABASE_URL=database_url, DELIVERY_DATA_DIR=data,
                   DELIVERY_PUBLIC_URL=base, RUST_LOG="warn",
                   DELIVERY_SIGNING_SECRET="bench-signing-secret-that-is-long-enough-0123456789",
                   DELIVERY_STORAGE_ALLOW_HTTP="true",
                   DELIVERY_STORAGE_ALLOW_PRIVATE_ENDPOINTS="true",
                   # A long access token: the load runs with one.
                   DELIVERY_ACCESS_TOKEN_TTL_SECS="86400",
                   DELIVERY_STATIC_DIR=os.path.join(data, "no-spa"))
        env.pop("E2E_DATABASE_URL", None)
        server = servers.start([DELIVERY, "serve", "--bind", f"127.0.0.1:{port}"], env,
                               os.path.join(work, f"{name}-server.log"))
        servers.start([HELPER, "ceiling", "--bind", f"127.0.0.1:{ceiling_port}"])
        ceiling = f"http://127.0.0.1:{ceiling_port}"
        wait_for(f"{base}/api/health")
        wait_for(f"{ceiling}/api/health")
        wait_for(f"{s3_endpoint}/")

        print(f"== {name}: seeding", flush=True)
        small = seed_shop(base, s3_endpoint, "small@example.com", "Kleiner Verlag")
        big = seed_shop(base, s3_endpoint, "big@example.com", "Großer Verlag", mails=False)
        other = seed_shop(base, s3_endpoint, "other@example.com", "Dritter Verlag")
        result = {"database": name, "import": {}}
        small_orders, big_orders = p[name]
        result["import"]["small"] = import_orders(base, small, small_orders, "s")
        import_orders(base, other, 1_000, "o")
        # The two imports queued a mail per paid order; the worker's rate at
        # delivering the rest, before the big shop's import (which has no
        # mail rules) runs beside it.
        result["outbox"] = wait_for_outbox(database_url)
        result["import"]["big"] = import_big(base, big, big_orders, name, database_url)
        print(f"   import: {result['import']}, outbox: {result['outbox']}", flush=True)
        # Measured while the worker still writes mails, every figure would
        # carry that background work.
        wait_for_outbox(database_url)
        # The import's ceiling: the small shop's rows written again by the
        # database itself (as many writers as the product's import had).
        result["import"]["raw_small"] = run_json([
            HELPER, "raw-import", "--database-url", database_url, "--email", "small@example.com",
            "--threads", "1" if name == "sqlite" else "2"])

        targets = {}
        for shop in ("small", "big"):
            out = os.path.join(work, f"{name}-{shop}")
            run_json([HELPER, "targets", "--database-url", database_url, "--email",
                      f"{shop}@example.com", "--out", out])
            targets[shop] = out
        s = targets["small"]
        scenarios = {
            "download_spread": (f"{s}/downloads.txt", 64, ""),
            "download_hot": (f"{s}/hot.txt", 64, ""),
            "download_spread_c8": (f"{s}/downloads.txt", 8, ""),
            "portal_json": (f"{s}/portal.txt", 64, ""),
            "list_first_small": (f"{s}/list.txt", 64, small),
            "list_deep_small": (f"{s}/list_deep.txt", 64, small),
            "list_first_big": (f"{targets['big']}/list.txt", 64, big),
            "list_deep_big": (f"{targets['big']}/list_deep.txt", 64, big),
        }
        ceiling_paths = f"{s}/hot.txt"
        wrk(base, f"{s}/downloads.txt", 64, 1)  # warm-up
        if name == "postgres":
            scripts = prepare_pgbench(database_url, work, scenarios["portal_json"][0])
        rounds = []
        rss = []
        for r in range(p["rounds"]):
            print(f"== {name}: round {r + 1}/{p['rounds']}", flush=True)
            round_ = {}
            for key, (paths, connections, token) in scenarios.items():
                round_[key] = wrk(base, paths, connections, p["seconds"], token)
                rss.append(rss_mb(server.pid)["VmRSS"])
            round_["ceiling_302"] = wrk(ceiling, ceiling_paths, 64, p["seconds"])
            round_["ceiling_302_c8"] = wrk(ceiling, ceiling_paths, 8, p["seconds"])
            round_["raw_portal"] = run_json([HELPER, "raw-portal", "--database-url", database_url,
                                             "--paths", scenarios["portal_json"][0],
                                             "--seconds", str(p["seconds"]), "--threads", "2"])
            round_["raw_grant"] = run_json([HELPER, "raw-grant", "--database-url", database_url,
                                            "--seconds", str(p["seconds"]), "--threads", "2"])
            if name == "postgres":
                round_["pgbench_grant"] = pgbench(database_url, p["seconds"], scripts["grant"])
                round_["pgbench_portal"] = pgbench(database_url, p["seconds"],
                                                   scripts["portal"])
            rounds.append(round_)
        result["check"] = run_json([HELPER, "check", "--base", base, "--token", small,
                                    "--database-url", database_url])
        result["rss_mb"] = {"max_sampled": max(rss), "peak": rss_mb(server.pid)["VmHWM"]}
        result["rounds"] = rounds
        return result
    finally:
        servers.close()


def prepare_pgbench(database_url, work, portal_paths):
    """Writes the two pgbench scripts and the small tables they pick their
    rows from, once per database; returns each script's pgbench arguments."""
    grant = os.path.join(work, "grant.sql")
    with open(grant, "w") as f:
        # The grant as plain SQL: the product's own statement (the
        # conditional update and the history insert in one data-modifying CTE).
        f.write(
            "\\set n random(1, 10000)\n"
            "WITH target AS (SELECT grant_id, tenant_id, order_id FROM bench_grants WHERE n = :n), "
            "counted AS (UPDATE download_grants g SET used_downloads = g.used_downloads + 1 "
            "FROM target t WHERE g.id = t.grant_id AND g.tenant_id = t.tenant_id "
            "AND g.order_id = t.order_id AND (g.max_downloads IS NULL OR "
            "g.used_downloads < g.max_downloads) AND (g.expires_at IS NULL OR g.expires_at > now()) "
            "RETURNING g.*), "
            "logged AS (INSERT INTO history_events (id, tenant_id, order_id, kind, actor, grant_id, "
            "details, ip, user_agent, created_at) SELECT gen_random_uuid()::text, tenant_id, "
            "order_id, 'download', 'customer', id, json_build_object('file', display_name, "
            "'used_downloads', used_downloads, 'max_downloads', max_downloads)::text, '127.0.0.1', "
            "'pgbench', now() FROM counted) "
            "SELECT * FROM counted;\n")
    portal = os.path.join(work, "portal.sql")
    with open(portal, "w") as f:
        # The portal page's statement: the same joins, filter and order as
        # `page_by_code`. Each run also looks its code up in bench_codes, so
        # this ceiling is a little low.
        f.write(
            "\\set n random(1, :codes)\n"
            "SELECT o.*, ps.*, t.name, i.*, g.*, inv.id, ist.issue_mode FROM orders o "
            "JOIN tenants t ON t.id = o.tenant_id "
            "LEFT JOIN portal_settings ps ON ps.tenant_id = o.tenant_id "
            "LEFT JOIN order_items i ON i.tenant_id = o.tenant_id AND i.order_id = o.id "
            "LEFT JOIN download_grants g ON g.tenant_id = o.tenant_id AND g.order_id = o.id "
            "AND g.order_item_id = i.id "
            "LEFT JOIN invoices inv ON inv.tenant_id = o.tenant_id AND inv.order_id = o.id "
            "AND inv.kind = 'invoice' "
            "LEFT JOIN invoice_settings ist ON ist.tenant_id = o.tenant_id "
            "WHERE o.portal_code = (SELECT code FROM bench_codes WHERE n = :n) "
            "ORDER BY i.position, i.id, g.position, g.id;\n")
    # The codes the portal_json scenario requests.
    with open(portal_paths) as f:
        codes = [line.strip().rsplit("/", 1)[1] for line in f if line.strip()]
    codes_file = os.path.join(work, "codes.txt")
    with open(codes_file, "w") as f:
        f.write("\n".join(codes) + "\n")
    subprocess.run(["psql", "-q", database_url,
                    "-c", "CREATE TABLE bench_grants AS SELECT row_number() OVER () AS n, "
                          "id AS grant_id, tenant_id, order_id FROM download_grants "
                          "WHERE max_downloads IS NULL LIMIT 10000",
                    "-c", "CREATE UNIQUE INDEX bench_grants_n ON bench_grants (n)",
                    "-c", "CREATE TABLE bench_codes (n SERIAL PRIMARY KEY, code TEXT)",
                    "-c", f"\\copy bench_codes (code) FROM '{codes_file}'"],
                   check=True, capture_output=True)
    return {
        "grant": ["-f", grant],
        "portal": ["-M", "prepared", "-D", f"codes={len(codes)}", "-f", portal],
    }


def pgbench(database_url, seconds, script_args):
    """pgbench at 32 clients for `seconds`: transactions per second."""
    out = subprocess.run([pgbench_bin(), "-n", "-c", "32", "-j", "2", "-T", str(seconds),
                          *script_args, database_url],
                         check=True, capture_output=True, text=True).stdout
    tps = next(float(l.split("=")[1].split()[0]) for l in out.splitlines()
               if l.startswith("tps ="))
    return {"per_second": tps}


def pgbench_bin():
    found = shutil.which("pgbench")
    if found:
        return found
    candidates = sorted(
        os.path.join("/usr/lib/postgresql", v, "bin", "pgbench")
        for v in os.listdir("/usr/lib/postgresql"))
    return candidates[-1]


def median(values):
    return statistics.median(values) if values else None


def summarise(result):
    rounds = result["rounds"]

    def m(key, field="rps"):
        return median([r[key][field] for r in rounds])

    def ratio(key, ceiling, field="rps", ceiling_field="rps"):
        return median([r[key][field] / r[ceiling][ceiling_field] for r in rounds])

    rows = []
    for key in ("download_spread", "download_hot", "download_spread_c8", "portal_json",
                "list_first_small", "list_deep_small", "list_first_big", "list_deep_big",
                "ceiling_302", "ceiling_302_c8"):
        rows.append({
            "name": key, "rps": m(key), "p50_ms": m(key, "p50_us") / 1000,
            "p99_ms": m(key, "p99_us") / 1000,
            "errors": sum(r[key]["errors"] + r[key]["timeouts"] for r in rounds)})
    s = {
        "rows": rows,
        "raw_grant_per_second": median([r["raw_grant"]["per_second"] for r in rounds]),
        "download_vs_raw_grant": ratio("download_spread", "raw_grant", ceiling_field="per_second"),
        "hot_vs_raw_grant": ratio("download_hot", "raw_grant", ceiling_field="per_second"),
        "portal_vs_302": ratio("portal_json", "ceiling_302"),
        "raw_portal_per_second": median([r["raw_portal"]["per_second"] for r in rounds]),
        "portal_vs_raw_portal": ratio("portal_json", "raw_portal", ceiling_field="per_second"),
        "download_vs_302": ratio("download_spread", "ceiling_302"),
        "p99_c64_vs_302_p99": ratio("download_spread", "ceiling_302", "p99_us", "p99_us"),
        "import_vs_raw_import": (result["import"]["small"]["per_second"]
                                 / result["import"]["raw_small"]["per_second"]),
        "list_big_vs_10k_p50": median([r["list_first_big"]["p50_us"] / r["list_first_small"]["p50_us"]
                                       for r in rounds]),
        "list_deep_big_vs_10k_p50": median([r["list_deep_big"]["p50_us"]
                                            / r["list_deep_small"]["p50_us"] for r in rounds]),
    }
    if "pgbench_grant" in rounds[0]:
        s["pgbench_grant_per_second"] = median([r["pgbench_grant"]["per_second"] for r in rounds])
        s["download_vs_pgbench"] = ratio("download_spread", "pgbench_grant",
                                         ceiling_field="per_second")
    if "pgbench_portal" in rounds[0]:
        s["pgbench_portal_per_second"] = median([r["pgbench_portal"]["per_second"]
                                                 for r in rounds])
        s["portal_vs_pgbench"] = ratio("portal_json", "pgbench_portal",
                                       ceiling_field="per_second")
    return s


def markdown(report):
    lines = [f"Profile `{report['profile']}`, {report['machine']['cores']} cores, "
             f"{report['machine']['memory_gib']} GiB, {report['machine']['system']}; "
             f"{report['rounds']} round(s) of {report['seconds']} s per figure, medians; "
             f"wrk 2 threads, 64 connections unless `c8`.", ""]
    for result in report["results"]:
        s = result["summary"]
        lines += [f"### {result['database']}", "",
                  "| Measurement | req/s | p50 ms | p99 ms | errors+timeouts |",
                  "| --- | ---: | ---: | ---: | ---: |"]
        for row in s["rows"]:
            lines.append(f"| {row['name']} | {row['rps']:,.0f} | {row['p50_ms']:.2f} | "
                         f"{row['p99_ms']:.2f} | {row['errors']} |")
        imp = result["import"]
        lines += ["", "| Ratio / figure | value |", "| --- | ---: |",
                  f"| raw grant transaction (no HTTP, 2 threads) | {s['raw_grant_per_second']:,.0f}/s |"]
        if "pgbench_grant_per_second" in s:
            lines += [f"| pgbench grant transaction (32 clients) | {s['pgbench_grant_per_second']:,.0f}/s |",
                      f"| download ÷ pgbench grant | {s['download_vs_pgbench']:.2f} |"]
        if "pgbench_portal_per_second" in s:
            lines += [f"| pgbench portal page statement (32 clients, prepared) | {s['pgbench_portal_per_second']:,.0f}/s |",
                      f"| portal JSON ÷ pgbench portal statement | {s['portal_vs_pgbench']:.2f} |"]
        lines += [f"| download (spread) ÷ raw grant | {s['download_vs_raw_grant']:.2f} |",
                  f"| download (hot order) ÷ raw grant | {s['hot_vs_raw_grant']:.2f} |",
                  f"| download (spread) ÷ minimal 302 | {s['download_vs_302']:.2f} |",
                  f"| portal JSON ÷ minimal 302 | {s['portal_vs_302']:.2f} |",
                  f"| raw portal page read (the product's `page_by_code`, no HTTP, 2 threads) | {s['raw_portal_per_second']:,.0f}/s |",
                  f"| portal JSON ÷ raw portal page read | {s['portal_vs_raw_portal']:.2f} |",
                  f"| download p99 ÷ minimal 302 p99 (64 conns) | {s['p99_c64_vs_302_p99']:.2f} |",
                  f"| order list p50, {imp['big']['orders']:,} ÷ {imp['small']['orders']:,} orders (first page) | {s['list_big_vs_10k_p50']:.2f} |",
                  f"| order list p50, {imp['big']['orders']:,} ÷ {imp['small']['orders']:,} orders (deep cursor, 90 %) | {s['list_deep_big_vs_10k_p50']:.2f} |",
                  f"| import, {imp['small']['orders']:,} orders in batches of 500 | {imp['small']['per_second']:,.0f} orders/s |",
                  f"| raw import: the same rows by `INSERT … SELECT`, no HTTP ({imp['raw_small']['rows']:,} rows) | {imp['raw_small']['per_second']:,.0f} orders/s |",
                  f"| import ÷ raw import | {s['import_vs_raw_import']:.2f} |",
                  f"| import, {imp['big']['orders']:,} orders in batches of 500 | {imp['big']['per_second']:,.0f} orders/s |",
                  f"| outbox delivery after the imports ({result['outbox']['mails']:,} mails to the mail folder) | {result['outbox']['per_second']:,.0f} mails/s |",
                  f"| server RSS under load (max sampled / peak) | {result['rss_mb']['max_sampled']:.1f} / {result['rss_mb']['peak']:.1f} MB |",
                  f"| limit 5 under 64 concurrent clients → granted | {result['check']['limit_5_under_64_clients']} |",
                  f"| download counters = history rows | {result['check']['counters']:,} = {result['check']['history_rows']:,} |",
                  ""]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profile", choices=PROFILES, default="full")
    args = parser.parse_args()
    for tool in ("wrk",):
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing (Debian: apt-get install {tool})")
    started = time.time()
    databases = [("sqlite", None)]
    if os.environ.get("E2E_DATABASE_URL"):
        databases.append(("postgres", os.environ["E2E_DATABASE_URL"]))
    else:
        print("E2E_DATABASE_URL is not set: PostgreSQL is skipped", flush=True)
    results = []
    with tempfile.TemporaryDirectory(prefix="delivery-bench-") as work:
        for name, url in databases:
            url = url or f"sqlite://{os.path.join(work, 'bench.db')}"
            result = bench_database(name, url, args.profile, work)
            result["summary"] = summarise(result)
            results.append(result)
    with open("/proc/meminfo") as f:
        mem_kib = int(f.readline().split()[1])
    report = {
        "profile": args.profile, "seconds": PROFILES[args.profile]["seconds"],
        "rounds": PROFILES[args.profile]["rounds"],
        "machine": {"cores": os.cpu_count(), "memory_gib": round(mem_kib / 1024 / 1024),
                    "system": f"{platform.system()} {platform.machine()}"},
        "started": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(started)),
        "wall_seconds": round(time.time() - started), "results": results,
    }
    os.makedirs(RESULTS, exist_ok=True)
    with open(os.path.join(RESULTS, "latest.json"), "w") as f:
        json.dump(report, f, indent=2)
    text = markdown(report) + f"\nWall time: {report['wall_seconds']} s.\n"
    with open(os.path.join(RESULTS, "latest.md"), "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()
