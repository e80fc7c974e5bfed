import { expect, test } from "@playwright/test";

import { capture } from "./support";

test("a seller signs up over the API, then signs in and out in the dashboard", async ({ page, request }, testInfo) => {
  const email = `owner-${Date.now()}@example.com`;
  const signup = await request.post("/api/v1/auth/signup", {
    data: { shop_name: "Hörbuch Manufaktur", email, password: "correct horse battery" },
  });
  expect(signup.status()).toBe(201);

  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("Wrong email or password.");
  await capture(page, testInfo, "sign-in");

  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Home" })).toBeVisible();
  await expect(page.getByText("Hörbuch Manufaktur")).toBeVisible();

  // A reload keeps the session (refresh token), a sign-out ends it.
  await page.reload();
  await expect(page.getByRole("heading", { name: "Home" })).toBeVisible();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await page.goto("/orders");
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
});

test("a German browser gets the German dashboard", async ({ browser }) => {
  const context = await browser.newContext({ locale: "de-DE" });
  const page = await context.newPage();
  await page.goto("/signin");
  await expect(page.getByRole("heading", { name: "Anmelden" })).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("lang", "de");
  await page.getByText("EN", { exact: true }).click();
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await context.close();
});

test("the interactive API docs load without internet access", async ({ page }) => {
  const external: string[] = [];
  page.on("request", (req) => {
    if (!req.url().startsWith("http://127.0.0.1")) external.push(req.url());
  });
  await page.goto("/api/docs");
  await expect(page.getByRole("heading", { name: /Digital product delivery API/ })).toBeVisible();
  await expect(page.getByText("/api/v1/auth/login").first()).toBeVisible();
  expect(external).toEqual([]);
});
