import { writeFile } from "node:fs/promises";
import { join } from "node:path";

import { expect, test } from "@playwright/test";

import { FILE_BYTES, UMLAUT_NAME, capture } from "./support";

const LOGO_URL = "https://cdn.hoerbuch-manufaktur.example/logo.svg";
const LOGO_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><circle cx="20" cy="20" r="18" fill="#2f6f4f"/></svg>';

test("a seller runs the whole flow in the dashboard", async ({ page, context, browser }, testInfo) => {
  test.setTimeout(120_000);
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const email = `seller-${Date.now()}@example.com`;
  const external: string[] = [];
  page.on("request", (req) => {
    if (!req.url().startsWith("http://127.0.0.1") && req.url() !== LOGO_URL) external.push(req.url());
  });
  // The seller's own logo is the one address the seller chose to load from
  // elsewhere; here it is answered locally (there is no internet).
  await page.route(LOGO_URL, (route) => route.fulfill({ contentType: "image/svg+xml", body: LOGO_SVG }));

  // Sign up.
  await page.goto("/signup");
  await page.getByLabel("Shop name").fill("Hörbuch Manufaktur");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Create shop" }).click();
  await expect(page.getByText("At least 10 characters.").last()).toBeVisible();
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Create shop" }).click();
  await expect(page.getByRole("heading", { name: "Home" })).toBeVisible();
  await expect(page.getByText("No paid orders yet.")).toBeVisible();
  await capture(page, testInfo, "home");

  // Connect a local folder and put the umlaut file into it.
  await page.getByRole("link", { name: "Cloud storage" }).click();
  await page.getByRole("link", { name: "Add connection" }).click();
  await expect(page.getByRole("heading", { name: "Add connection" })).toBeVisible();
  await page.getByRole("main").getByText("Local folder", { exact: true }).click();
  await page.getByLabel("Name").fill("Downloads");
  await page.getByRole("button", { name: "Connect" }).click();
  await expect(page.getByRole("heading", { name: "Downloads" })).toBeVisible();
  const folder = await page.locator("code").first().innerText();
  await writeFile(join(folder, UMLAUT_NAME), FILE_BYTES);
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByText("Connection works", { exact: true })).toBeVisible();
  await page.reload();
  await expect(page.getByText(UMLAUT_NAME)).toBeVisible();
  await capture(page, testInfo, "storage");

  // An article with the file linked.
  await page.getByRole("link", { name: "Articles" }).click();
  await page.getByRole("link", { name: "New article" }).click();
  await page.getByLabel("SKU").fill("EBOOK");
  await page.getByLabel("Title").fill("Übungsbuch");
  await page.getByLabel("Price").fill("19,99");
  await page.getByRole("button", { name: "Create article" }).click();
  await expect(page.getByRole("tab", { name: "Files", selected: true })).toBeVisible();
  await expect(page.getByText("No files linked yet.")).toBeVisible();
  await page.getByRole("button", { name: "Add files" }).click();
  await page.getByRole("button", { name: `Link ${UMLAUT_NAME}` }).click();
  await expect(page.getByRole("listitem").getByText(UMLAUT_NAME, { exact: true })).toBeVisible();
  await expect(page.getByRole("dialog")).toBeHidden();
  await capture(page, testInfo, "article-files");

  // An order, marked paid.
  await page.getByRole("link", { name: "Orders" }).click();
  await expect(page.getByText("No orders yet.")).toBeVisible();
  await page.getByRole("link", { name: "New order" }).click();
  await page.getByLabel("Name").fill("Jörg Müller");
  await page.getByLabel("Email").fill("joerg@example.com");
  await page.getByRole("button", { name: "Create order" }).click();
  await expect(page.getByRole("heading", { name: "Order #1" })).toBeVisible();
  await page.getByRole("textbox", { name: "New status" }).click();
  await page.getByRole("option", { name: "Paid" }).click();
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByText("Status is now Paid.")).toBeVisible();
  await capture(page, testInfo, "order-overview");
  // A final status asks first; answering "Cancel" changes nothing.
  await page.getByRole("textbox", { name: "New status" }).click();
  await page.getByRole("option", { name: "Refunded" }).click();
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByRole("dialog").getByText("Mark this order as Refunded?", { exact: false })).toBeVisible();
  await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByRole("dialog")).toBeHidden();
  await expect(page.getByText("Status is now Refunded.")).toHaveCount(0);

  // Copy the portal link; it opens the customer's page, who downloads once.
  await page.getByRole("tab", { name: "Numbers & Layouts" }).click();
  await page.getByRole("button", { name: "Copy link" }).click();
  const link = await page.evaluate(() => navigator.clipboard.readText());
  expect(link).toMatch(/\/portal\/[A-Za-z0-9_-]{32}$/);
  await expect(page.getByRole("textbox", { name: "Portal link" })).toHaveValue(link);
  await capture(page, testInfo, "order-numbers");
  const customer = await browser.newPage();
  await customer.goto(link);
  await expect(customer.getByText(UMLAUT_NAME)).toBeVisible();
  const download = customer.waitForEvent("download");
  await customer.getByRole("button", { name: "Download", exact: true }).click();
  expect((await download).suggestedFilename()).toBe(UMLAUT_NAME);
  await customer.close();

  // Raise the allowed downloads of the file.
  await page.getByRole("tab", { name: "Downloads" }).click();
  await expect(page.getByRole("cell", { name: "1 / 5" })).toBeVisible();
  await page.getByRole("button", { name: `Edit downloads of ${UMLAUT_NAME}` }).click();
  await page.getByLabel("Allowed downloads").fill("7");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("cell", { name: "1 / 7" })).toBeVisible();
  await capture(page, testInfo, "order-downloads");

  // The history shows the change (with who and old → new) and the download.
  await page.getByRole("tab", { name: "History & Messages" }).click();
  await expect(page.getByText("Download limits changed")).toBeVisible();
  await expect(page.getByText(/1 \/ 5, .* → 1 \/ 7, /)).toBeVisible();
  await expect(page.getByText(email).first()).toBeVisible();
  await expect(page.getByText("Download", { exact: true })).toBeVisible();
  await expect(page.getByText("127.0.0.1").first()).toBeVisible();
  // The session runs out while the seller writes a note: the server refuses
  // the access token (the browser sends one the server no longer takes), the
  // dashboard refreshes the session and sends the same note again, nothing lost.
  let expiredOnce = false;
  await page.route("**/api/v1/orders/*/history", async (route, request) => {
    if (request.method() !== "POST" || expiredOnce) return route.continue();
    expiredOnce = true;
    await route.continue({ headers: { ...request.headers(), authorization: "Bearer expired.session.token" } });
  });
  const refreshed = page.waitForResponse((r) => r.url().endsWith("/api/v1/auth/refresh") && r.status() === 200);
  await page.getByLabel("Add a note").fill("Called the customer – all good.");
  await page.getByRole("button", { name: "Save note" }).click();
  await refreshed;
  await expect(page.getByText("Called the customer – all good.")).toHaveCount(1);
  expect(expiredOnce).toBe(true);
  await page.unroute("**/api/v1/orders/*/history");
  await capture(page, testInfo, "order-history");

  // The lists and settings screens.
  await page.getByRole("link", { name: "Orders" }).click();
  await expect(page.getByRole("link", { name: "#1" })).toBeVisible();
  await capture(page, testInfo, "orders");
  await page.getByRole("link", { name: "Articles" }).click();
  await expect(page.getByRole("link", { name: "Übungsbuch" })).toBeVisible();
  await capture(page, testInfo, "articles");
  await page.getByRole("link", { name: "Invoices" }).click();
  await expect(page.getByRole("heading", { name: "Invoices" })).toBeVisible();
  await capture(page, testInfo, "invoices");
  await page.getByRole("link", { name: "Settings" }).click();
  // The preview is the customer's portal page itself, following the form.
  const preview = page.frameLocator('iframe[title^="The customer portal"]');
  await expect(preview.getByRole("heading", { name: "Hörbuch Manufaktur" })).toBeVisible();
  await page.getByLabel("Welcome text").fill("Schön, dass Sie da sind!");
  await expect(preview.getByText("Schön, dass Sie da sind!")).toBeVisible();
  await page.getByLabel("Page title").fill("Hörbuch-Downloads");
  await expect(preview.getByRole("heading", { name: "Hörbuch-Downloads" })).toBeVisible();
  await page.getByLabel("Logo URL (https)").fill(LOGO_URL);
  await expect(preview.getByRole("img", { name: "Hörbuch Manufaktur" })).toHaveAttribute("src", LOGO_URL);
  await expect(preview.getByRole("link", { name: "Download invoice" })).toHaveCount(0);
  await page.getByLabel("Customers can download their invoice").check();
  await expect(preview.getByRole("link", { name: "Download invoice" })).toBeVisible();
  await capture(page, testInfo, "settings-portal");
  for (const [tab, name] of [
    ["Invoices", "settings-invoices"],
    ["Message templates", "settings-templates"],
    ["Rules", "settings-rules"],
  ] as const) {
    await page.getByRole("tab", { name: tab }).click();
    await expect(page.getByRole("tab", { name: tab, selected: true })).toBeVisible();
    await page.waitForLoadState("networkidle");
    await capture(page, testInfo, name);
  }
  await page.getByRole("tab", { name: "API keys" }).click();
  await page.getByLabel("Name").fill("Shop integration");
  await page.getByRole("button", { name: "Create key" }).click();
  await expect(page.getByTestId("api-key-secret")).toContainText("dlv_");
  // The dialog has its header close button and its own "Close": either closes it.
  await page.getByRole("dialog").getByRole("button", { name: "Close" }).first().click();
  // Scan the settled screen, not a dialog fading out.
  await expect(page.getByRole("dialog")).toBeHidden();
  await capture(page, testInfo, "settings-api-keys");

  // At phone width the navigation folds into a menu.
  await page.setViewportSize({ width: 390, height: 800 });
  await page.getByRole("button", { name: "Menu" }).click();
  await page.getByRole("link", { name: "Home" }).click();
  await expect(page.getByRole("heading", { name: "Home" })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath("home-phone.png"), fullPage: true });

  expect(external).toEqual([]);
});
