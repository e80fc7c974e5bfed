import { readFile } from "node:fs/promises";

import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";

import { FILE_BYTES, UMLAUT_NAME, orderOf, sellerApi, shopWithEbook } from "./support";

async function downloadOnce(page: Page) {
  const started = page.waitForEvent("download");
  await page.getByRole("button", { name: "Herunterladen" }).click();
  return started;
}

test("a customer downloads the umlaut file until the limit, and again after the seller raises it", async ({ page, request }, testInfo) => {
  const shop = await shopWithEbook(request, 2);
  const order = await orderOf(request, shop, "paid");

  const answer = await page.goto(`/portal/${order.code}`);
  // Never indexed, no referrer to the file host, framed only by the dashboard (its preview).
  expect(answer!.headers()).toMatchObject({
    "x-robots-tag": "noindex, nofollow",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
    "content-security-policy": "frame-ancestors 'self'",
  });
  await expect(page.getByRole("heading", { name: "Hörbuch Manufaktur" })).toBeVisible();
  await expect(page.getByText(UMLAUT_NAME)).toBeVisible();
  await expect(page.getByText("Noch 2 von 2 Downloads")).toBeVisible();
  await expect(page.getByRole("link", { name: "Rechnung herunterladen" })).toHaveCount(0);

  const download = await downloadOnce(page);
  expect(download.suggestedFilename()).toBe(UMLAUT_NAME);
  const saved = testInfo.outputPath("downloaded.pdf");
  await download.saveAs(saved);
  expect(Buffer.compare(await readFile(saved), FILE_BYTES)).toBe(0);
  await expect(page.getByText("Noch 1 von 2 Downloads")).toBeVisible();

  await downloadOnce(page);
  await expect(page.getByText("Noch 0 von 2 Downloads")).toBeVisible();
  await expect(page.getByRole("button", { name: "Herunterladen" })).toBeDisabled();
  await expect(page.getByText("Sie haben alle erlaubten Downloads dieser Datei genutzt.")).toBeVisible();

  await sellerApi(request, shop, "PATCH", `/api/v1/orders/${order.id}/downloads`, { max_downloads: 3 });
  await page.reload();
  await expect(page.getByText("Noch 1 von 3 Downloads")).toBeVisible();
  const again = await downloadOnce(page);
  expect(again.suggestedFilename()).toBe(UMLAUT_NAME);
  await expect(page.getByText("Noch 0 von 3 Downloads")).toBeVisible();
});

const states: Array<{ name: string; prepare: (request: Parameters<typeof shopWithEbook>[0]) => Promise<string>; de: string; en: string }> = [
  {
    name: "not paid",
    prepare: async (request) => (await orderOf(request, await shopWithEbook(request), "open")).code,
    de: "Ihre Bestellung ist noch nicht bezahlt.",
    en: "Your order is not paid yet.",
  },
  {
    name: "expired",
    prepare: async (request) => {
      const shop = await shopWithEbook(request);
      const order = await orderOf(request, shop, "paid");
      await sellerApi(request, shop, "PATCH", `/api/v1/orders/${order.id}/downloads`, { expires_at: "2026-01-02T10:00:00Z" });
      return order.code;
    },
    de: "Der Download-Zeitraum für diese Datei ist am 2. Januar 2026 abgelaufen.",
    en: "The download period for this file ended on January 2, 2026.",
  },
  {
    name: "locked",
    prepare: async (request) => {
      const shop = await shopWithEbook(request);
      const order = await orderOf(request, shop, "paid");
      await sellerApi(request, shop, "POST", `/api/v1/orders/${order.id}/status`, { status: "refunded" });
      return order.code;
    },
    de: "Diese Bestellung wurde storniert oder erstattet; die Downloads sind gesperrt.",
    en: "This order was cancelled or refunded; its downloads are locked.",
  },
  {
    name: "unknown link",
    prepare: async () => "ThisCodeDoesNotExist0123456789ab",
    de: "Dieser Link ist unbekannt oder wurde ersetzt.",
    en: "This link is unknown or has been replaced.",
  },
];

for (const state of states) {
  test(`the ${state.name} state is explained in German and English`, async ({ page, request }) => {
    const code = await state.prepare(request);
    await page.goto(`/portal/${code}`);
    // An order opens in its language; an unknown link in the browser's. Switch both ways.
    await page.getByRole("button", { name: "Deutsch" }).click();
    await expect(page.getByText(state.de).first()).toBeVisible();
    await page.getByRole("button", { name: "English" }).click();
    await expect(page.getByText(state.en).first()).toBeVisible();
  });
}

test("the contact form sends a message into the order history", async ({ page, request }) => {
  const shop = await shopWithEbook(request);
  const order = await orderOf(request, shop, "paid", "en");
  await page.goto(`/portal/${order.code}`);
  await expect(page.getByLabel("Your email")).toHaveValue("joerg@example.com");
  await page.getByLabel("Your message").fill("The download stops at 50 % – can you help?");
  await page.getByRole("button", { name: "Send message" }).click();
  await expect(page.getByText("Thank you! Your message has been sent to the seller.")).toBeVisible();
  const history = await (
    await request.get(`/api/v1/orders/${order.id}/history`, { headers: { Authorization: `Bearer ${shop.token}` } })
  ).json();
  const message = history.items.find((e: { kind: string }) => e.kind === "customer_message");
  expect(message.details.message).toBe("The download stops at 50 % – can you help?");
});

test("the portal is accessible and fits phones and desktops", async ({ page, request }, testInfo) => {
  const shop = await shopWithEbook(request);
  const order = await orderOf(request, shop, "paid");
  for (const [name, size] of [
    ["phone", { width: 390, height: 844 }],
    ["desktop", { width: 1280, height: 800 }],
  ] as const) {
    await page.setViewportSize(size);
    await page.goto(`/portal/${order.code}`);
    await expect(page.getByText(UMLAUT_NAME)).toBeVisible();
    const path = testInfo.outputPath(`portal-${name}.png`);
    await page.screenshot({ path, fullPage: true });
    await testInfo.attach(`portal-${name}`, { path, contentType: "image/png" });
  }
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(serious.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
});
