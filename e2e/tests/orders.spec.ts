import { expect, test, type Page } from "@playwright/test";

import { sellerApi, shopWithEbook, signIn, type Shop } from "./support";
import type { APIRequestContext } from "@playwright/test";

async function order(request: APIRequestContext, shop: Shop, name: string, email: string, channel: string, status: string) {
  return sellerApi(request, shop, "POST", "/api/v1/orders", {
    customer: { name, email, language: "de" },
    items: [{ sku: "EBOOK", quantity: 1 }],
    channel,
    status,
  }) as Promise<{ id: string; number: number; portal_url: string }>;
}

async function choose(page: Page, label: string, option: string) {
  await page.getByRole("textbox", { name: label }).click();
  await page.getByRole("option", { name: option, exact: true }).click();
}

test("a seller finds orders by search and filters", async ({ page, request }) => {
  const shop = await shopWithEbook(request);
  await order(request, shop, "Anna Schäfer", "anna@example.com", "shopify", "paid");
  await order(request, shop, "Bernd Koch", "bernd@example.com", "manual", "open");
  await order(request, shop, "Clara Weiß", "clara@example.com", "shopify", "open");

  await signIn(page, shop);
  await page.getByRole("link", { name: "Orders" }).click();
  const rows = page.locator("tbody tr");
  await expect(rows).toHaveCount(3);

  await page.getByLabel("Search").fill("ANNA");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("Anna Schäfer");
  await page.getByLabel("Search").fill("bernd@example");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("Bernd Koch");
  await page.getByLabel("Search").fill("nobody");
  await expect(page.getByText("Nothing matches.")).toBeVisible();
  await page.getByLabel("Search").fill("");
  await expect(rows).toHaveCount(3);

  await choose(page, "Payment", "Paid");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("Anna Schäfer");
  await choose(page, "Payment", "Not paid");
  await page.getByLabel("Channel").fill("shopify");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("Clara Weiß");
  await page.getByLabel("Channel").fill("");
  await expect(rows).toHaveCount(2);
  // Status alone: Anna's paid order, then the two open ones.
  await page.getByRole("textbox", { name: "Payment" }).click();
  await page.getByRole("option", { name: "Not paid", exact: true }).click();
  await choose(page, "Status", "Paid");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("Anna Schäfer");
  await choose(page, "Status", "Open");
  await expect(rows).toHaveCount(2);
});

test("a seller ends and resets downloads and sends a message again", async ({ page, request }) => {
  const shop = await shopWithEbook(request);
  const paid = await order(request, shop, "Anna Schäfer", "anna@example.com", "shopify", "paid");
  const grants = (await sellerApi(request, shop, "GET", `/api/v1/orders/${paid.id}/downloads`)).items as { id: string }[];
  const code = paid.portal_url.split("/").pop();
  const download = await request.get(`/api/portal/${code}/downloads/${grants[0]!.id}`, { headers: { Accept: "application/json" } });
  expect(download.status()).toBe(200);

  await signIn(page, shop);
  await page.goto(`/orders/${paid.id}`);
  await page.getByRole("tab", { name: "Downloads" }).click();
  await expect(page.getByRole("cell", { name: "1 / 2" })).toBeVisible();
  await expect(page.getByRole("cell", { name: "No end date" })).toBeHidden();

  // Every file: no end date; the count stays as it is.
  await page.getByRole("button", { name: "Edit all files" }).click();
  await page.getByRole("dialog").getByLabel("No end date").check();
  await page.getByRole("dialog").getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("cell", { name: "No end date" })).toBeVisible();
  await expect(page.getByRole("cell", { name: "1 / 2" })).toBeVisible();

  // Saving without a change says so instead of sending an empty change.
  await page.getByRole("button", { name: "Edit all files" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("dialog").getByText("Nothing to change")).toBeVisible();
  await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();

  // One file: the used count back to 0.
  await page.getByRole("button", { name: /^Edit downloads of / }).click();
  await page.getByRole("dialog").getByLabel("Reset the used count to 0").check();
  await page.getByRole("dialog").getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("cell", { name: "0 / 2" })).toBeVisible();

  // The paid order's "downloads ready" mail, sent once more on request.
  await page.getByRole("tab", { name: "History & Messages" }).click();
  const resend = page.getByRole("button", { name: "Send again" });
  await expect(resend).toHaveCount(1);
  await resend.click();
  await expect(page.getByText("Message queued again.")).toBeVisible();
  await expect(resend).toHaveCount(2);
  const messages = (await sellerApi(request, shop, "GET", `/api/v1/orders/${paid.id}/messages`)).items as { recipient: string }[];
  expect(messages.map((m) => m.recipient)).toEqual(["anna@example.com", "anna@example.com"]);
  await expect(page.getByText("Download limits changed")).toHaveCount(2);
});
