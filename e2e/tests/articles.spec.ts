import { writeFile } from "node:fs/promises";
import { join } from "node:path";

import { expect, test } from "@playwright/test";

import { UMLAUT_NAME, sellerApi, shopWithEbook, signIn } from "./support";

const BONUS = "Bonus – Hörprobe.mp3";

test("a seller arranges an article's files: reorder with the keyboard, rename, unlink", async ({ page, request }) => {
  const shop = await shopWithEbook(request);
  await writeFile(join(shop.folder, BONUS), Buffer.from("ID3 Hörprobe"));
  await sellerApi(request, shop, "POST", `/api/v1/articles/${shop.articleId}/files`, { connection_id: shop.connectionId, object_key: BONUS });
  const serverOrder = async () =>
    ((await sellerApi(request, shop, "GET", `/api/v1/articles/${shop.articleId}/files`)).items as { display_name: string }[]).map((f) => f.display_name);

  await signIn(page, shop);
  await page.goto(`/articles/${shop.articleId}?tab=files`);
  const rows = page.getByRole("main").getByRole("listitem");
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toContainText(UMLAUT_NAME);

  // Drag and drop by keyboard (space picks up, arrows move, space drops).
  const handle = page.getByRole("button", { name: `Move ${BONUS}` });
  // Each step waits until it took effect (picked up; what a screen reader is told).
  await handle.focus();
  await page.keyboard.press("Space");
  await expect(handle).toHaveAttribute("aria-pressed", "true");
  await page.keyboard.press("ArrowUp");
  await expect(page.getByText(`${BONUS} is now at place 1 of 2.`)).toBeAttached();
  await page.keyboard.press("Space");
  await expect(page.getByText(`${BONUS} put down at place 1 of 2.`)).toBeAttached();
  await expect(rows.nth(0)).toContainText(BONUS);
  await expect.poll(serverOrder).toEqual([BONUS, UMLAUT_NAME]);
  await page.reload();
  await expect(rows.nth(0)).toContainText(BONUS);

  // Rename the display name (the customer sees it; the stored object keeps its key).
  await page.getByRole("button", { name: `Rename ${BONUS}` }).click();
  await page.getByLabel("Display name").fill("Hörprobe (Kapitel 1).mp3");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(rows.nth(0)).toContainText("Hörprobe (Kapitel 1).mp3");
  await expect(rows.nth(0)).toContainText(BONUS);
  await expect.poll(serverOrder).toEqual(["Hörprobe (Kapitel 1).mp3", UMLAUT_NAME]);

  // Unlink asks first; answering Cancel keeps the file.
  await rows.nth(0).getByRole("button", { name: "Unlink" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
  await expect(rows).toHaveCount(2);
  await rows.nth(0).getByRole("button", { name: "Unlink" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Unlink" }).click();
  await expect(rows).toHaveCount(1);
  await expect.poll(serverOrder).toEqual([UMLAUT_NAME]);
});
