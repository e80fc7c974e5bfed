import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import type { components } from "../../lib/api/schema";
import { renderInApp } from "../../test/render";
import { scriptServer } from "../../test/server";
import { DownloadsTab } from "./downloads-tab";
import type { Order } from "./overview-tab";

type Grant = components["schemas"]["GrantView"];

const order = { id: "order-1", status: "paid" } as Order;
function grant(id: string, name: string, max: number, expires: string): Grant {
  return { id, order_item_id: "item", file_name: name, size: 1024, used_downloads: 1, max_downloads: max, downloads_left: max - 1, expires_at: expires };
}
const grants = [grant("g1", "Teil 1.pdf", 5, "2026-12-24T12:00:00Z"), grant("g2", "Teil 2.pdf", 3, "2027-01-31T12:00:00Z")];

afterEach(() => vi.unstubAllGlobals());

describe("the downloads editor", () => {
  it("for every file, sends only the new count; each file keeps its own end date", async () => {
    const seen = scriptServer([
      () => ({ status: 200, body: { items: grants } }),
      () => ({ status: 200, body: { items: grants } }),
      () => ({ status: 200, body: { items: grants } }),
    ]);
    renderInApp(<DownloadsTab order={order} />);
    fireEvent.click(await screen.findByRole("button", { name: "Edit all files" }));
    const dialog = screen.getByRole("dialog");
    // The files differ: the count opens blank, "differs per file".
    const count = within(dialog).getByRole("textbox", { name: "Allowed downloads" });
    expect((count as HTMLInputElement).value).toBe("");
    fireEvent.change(count, { target: { value: "10" } });
    fireEvent.click(within(dialog).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(seen.some((r) => r.method === "PATCH")).toBe(true));
    const patch = seen.find((r) => r.method === "PATCH")!;
    expect(new URL(patch.url).pathname).toBe("/api/v1/orders/order-1/downloads");
    expect(await patch.json()).toEqual({ max_downloads: 10 });
  });

  it("says so instead of sending a change that changes nothing", async () => {
    const seen = scriptServer([() => ({ status: 200, body: { items: grants } })]);
    renderInApp(<DownloadsTab order={order} />);
    fireEvent.click(await screen.findByRole("button", { name: "Edit downloads of Teil 1.pdf" }));
    fireEvent.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Save" }));
    expect(await within(screen.getByRole("dialog")).findByText(/Nothing to change/)).toBeTruthy();
    expect(seen.filter((r) => r.method === "PATCH")).toHaveLength(0);
  });

  it("shows the server's refusal beside the field it names", async () => {
    scriptServer([
      () => ({ status: 200, body: { items: grants } }),
      () => ({
        status: 422,
        body: { type: "urn:problem:delivery:validation_failed", title: "Unprocessable Entity", status: 422, code: "validation_failed", detail: "The request has invalid fields.", errors: [{ field: "max_downloads", message: "is too many for this shop" }] },
      }),
    ]);
    renderInApp(<DownloadsTab order={order} />);
    fireEvent.click(await screen.findByRole("button", { name: "Edit downloads of Teil 2.pdf" }));
    const dialog = screen.getByRole("dialog");
    fireEvent.change(within(dialog).getByRole("textbox", { name: "Allowed downloads" }), { target: { value: "7" } });
    fireEvent.click(within(dialog).getByRole("button", { name: "Save" }));
    expect(await within(dialog).findByText("is too many for this shop")).toBeTruthy();
  });
});
