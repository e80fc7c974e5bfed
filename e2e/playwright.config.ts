import { defineConfig } from "@playwright/test";

import { s3 } from "./s3";

// The real server (debug build) with a fresh SQLite database in a temp dir,
// serving the built dashboard. Debian's Chromium; no downloaded browsers.
const port = Number(process.env.E2E_PORT ?? 18181);
const binary = process.env.DELIVERY_BIN ?? "../target/debug/delivery";
const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
// SQLite (a fresh file in a temp dir) unless E2E_DATABASE_URL names an
// empty PostgreSQL database (see scripts/with-postgres.sh).
const database = process.env.E2E_DATABASE_URL;
const backend = database ? "postgres" : "sqlite";
const helper = process.env.DELIVERY_BENCH_BIN ?? "../target/debug/delivery-bench";

export default defineConfig({
  testDir: "./tests",
  // Screenshots and traces per backend, kept as artefacts.
  outputDir: `test-results/${backend}`,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 1,
  reporter: [["list"]],
  use: {
    locale: "en-US",
    baseURL: `http://127.0.0.1:${port}`,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: chromium,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  webServer: [
    {
      command:
        `sh -c 'dir=$(mktemp -d) && exec env DELIVERY_DATA_DIR="$dir" DELIVERY_STATIC_DIR=../frontend/dist ` +
        (database ? `DATABASE_URL=${database} ` : "") +
        // The test bucket is on this machine, over plain http.
        `DELIVERY_STORAGE_ALLOW_HTTP=true DELIVERY_STORAGE_ALLOW_PRIVATE_ENDPOINTS=true ` +
        `DELIVERY_PUBLIC_URL=http://127.0.0.1:${port} ${binary} serve --bind 127.0.0.1:${port}'`,
      url: `http://127.0.0.1:${port}/api/health`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: "ignore",
      stderr: "pipe",
    },
    {
      command:
        `sh -c 'rm -rf "${s3.dir}" && mkdir -p "${s3.dir}/${s3.bucket}" && exec ${helper} s3 ` +
        `--bind 127.0.0.1:${s3.port} --dir "${s3.dir}" --access-key ${s3.accessKey} --secret-key ${s3.secretKey}'`,
      url: `http://127.0.0.1:${s3.port}/`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: "ignore",
      stderr: "pipe",
    },
  ],
});
