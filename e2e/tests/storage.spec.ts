import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

import { expect, test } from "@playwright/test";

import { s3 } from "../s3";
import { FILE_BYTES, UMLAUT_NAME, capture, shopWithEbook, signIn } from "./support";

test("a seller connects an S3 bucket, tests it in plain words and browses its special folder", async ({ page, request }, testInfo) => {
  const shop = await shopWithEbook(request);
  // The shop's special folder in the shared test bucket, with a sub-folder.
  const special = `shop-${Date.now()}`;
  const folder = join(s3.dir, s3.bucket, special, "ebooks");
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, UMLAUT_NAME), FILE_BYTES);

  await signIn(page, shop);
  await page.getByRole("link", { name: "Cloud storage" }).click();
  await page.getByRole("link", { name: "Add connection" }).click();
  await page.getByRole("textbox", { name: "Name", exact: true }).fill("Verlags-Bucket");
  await page.getByRole("textbox", { name: "Endpoint URL", exact: true }).fill(`http://127.0.0.1:${s3.port}`);
  await page.getByRole("textbox", { name: "Bucket", exact: true }).fill(s3.bucket);
  await page.getByRole("switch", { name: /^Path-style addressing/ }).check();
  await page.getByRole("textbox", { name: "Access key ID", exact: true }).fill(s3.accessKey);
  await page.getByRole("textbox", { name: "Secret access key", exact: true }).fill(s3.secretKey);
  await page.getByRole("textbox", { name: "Special folder", exact: true }).fill(`${special}/`);
  await page.getByRole("button", { name: "Connect" }).click();
  await expect(page.getByRole("heading", { name: "Verlags-Bucket" })).toBeVisible();

  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Connection works" })).toBeVisible();
  // Browsing stays inside the special folder; the file shows with its size.
  await page.getByRole("button", { name: "ebooks/" }).click();
  await expect(page.getByText(UMLAUT_NAME)).toBeVisible();
  await capture(page, testInfo, "storage-s3");

  // A wrong secret: saved (both keys together), and the test says so in words.
  await page.getByRole("textbox", { name: "Access key ID", exact: true }).fill(s3.accessKey);
  await page.getByRole("textbox", { name: "Secret access key", exact: true }).fill("not-the-secret");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Saved.")).toBeVisible();
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Connection failed" })).toContainText("the access key or secret is wrong");
});
