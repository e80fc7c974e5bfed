import { writeFile } from "node:fs/promises";
import { join } from "node:path";

import AxeBuilder from "@axe-core/playwright";
import { expect, type APIRequestContext, type Page, type TestInfo } from "@playwright/test";

export const UMLAUT_NAME = "Übung für Anfänger – Teil 1.pdf";
export const FILE_BYTES = Buffer.from("%PDF-1.7\nÜbungsbuch für Anfänger\n%%EOF\n", "utf8");
export const PASSWORD = "correct horse battery";

export type Shop = { token: string; articleId: string; email: string; connectionId: string; folder: string };
export type Order = { id: string; code: string; url: string };

let counter = 0;

/** Signs up a shop over the API, puts the umlaut file in its local folder and links it to an article. */
export async function shopWithEbook(request: APIRequestContext, downloadLimit = 2): Promise<Shop> {
  counter += 1;
  const email = `seller-${Date.now()}-${counter}@example.com`;
  const signup = await request.post("/api/v1/auth/signup", {
    data: { shop_name: "Hörbuch Manufaktur", email, password: PASSWORD },
  });
  expect(signup.status()).toBe(201);
  const token = (await signup.json()).access_token as string;
  const auth = { Authorization: `Bearer ${token}` };
  const connections = await (await request.get("/api/v1/storage-connections", { headers: auth })).json();
  const local = connections.items[0];
  await writeFile(join(local.local_path, UMLAUT_NAME), FILE_BYTES);
  const article = await (
    await request.post("/api/v1/articles", {
      headers: auth,
      data: { sku: "EBOOK", title: "Übungsbuch", price: "19.99", download_limit: downloadLimit },
    })
  ).json();
  const link = await request.post(`/api/v1/articles/${article.id}/files`, {
    headers: auth,
    data: { connection_id: local.id, object_key: UMLAUT_NAME },
  });
  expect(link.status()).toBe(201);
  return { token, articleId: article.id, email, connectionId: local.id, folder: local.local_path };
}

/** Creates an order of the e-book for a customer in `language`. */
export async function orderOf(request: APIRequestContext, shop: Shop, status: string, language = "de"): Promise<Order> {
  const res = await request.post("/api/v1/orders", {
    headers: { Authorization: `Bearer ${shop.token}` },
    data: {
      customer: { name: "Jörg Müller", email: "joerg@example.com", language },
      items: [{ sku: "EBOOK", quantity: 1 }],
      status,
    },
  });
  expect(res.status()).toBe(201);
  const order = await res.json();
  const url = order.portal_url as string;
  return { id: order.id, url, code: url.split("/").pop() as string };
}

/** Signs in to the dashboard as the shop's seller. */
export async function signIn(page: Page, shop: Shop) {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(shop.email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Home" })).toBeVisible();
}

/** Calls the seller API with the shop's token. */
export async function sellerApi(request: APIRequestContext, shop: Shop, method: "GET" | "POST" | "PATCH", path: string, data?: unknown) {
  const res = await request.fetch(path, { method, headers: { Authorization: `Bearer ${shop.token}` }, data });
  expect(res.ok(), `${method} ${path}: ${res.status()} ${await res.text()}`).toBeTruthy();
  return res.json();
}

/** Saves a full-page screenshot as a test artefact and checks the screen with axe. */
export async function capture(page: Page, testInfo: TestInfo, name: string) {
  // Check the settled screen: axe reads colours mid-fade as low contrast
  // (dialogs closing, notifications appearing).
  // Mantine mounts a transition's element a frame before its CSS transition
  // starts, so no wait catches every fade: a violation must persist over
  // several scans (10 s) to count.
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== "running"));
  await page.screenshot({ path: testInfo.outputPath(`${name}.png`), fullPage: true });
  await expect(async () => {
    const results = await new AxeBuilder({ page }).analyze();
    const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`), name).toEqual([]);
  }).toPass({ intervals: [250, 500, 1000], timeout: 10_000 });
}
