import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import { renderInApp } from "../test/render";
import { ConfirmButton } from "./confirm-button";

const QUESTION = "Unlink Übung.pdf? The file stays in your storage.";

function unlinkButton(onConfirm: () => Promise<unknown> | void) {
  renderInApp(
    <ConfirmButton question={QUESTION} confirmLabel="Unlink" onConfirm={onConfirm}>
      Unlink
    </ConfirmButton>,
  );
  fireEvent.click(screen.getByRole("button", { name: "Unlink" }));
  return screen.getByRole("dialog");
}

describe("ConfirmButton", () => {
  it("asks first, and Cancel does nothing", () => {
    const onConfirm = vi.fn();
    const dialog = unlinkButton(onConfirm);
    expect(dialog.textContent).toContain(QUESTION);
    fireEvent.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(onConfirm).not.toHaveBeenCalled();
    expect(screen.queryByRole("dialog")).toBeNull();
  });

  it("acts once when confirmed, then closes", async () => {
    const onConfirm = vi.fn(async () => {});
    const dialog = unlinkButton(onConfirm);
    const confirm = within(dialog).getByRole("button", { name: "Unlink" });
    // A double click while the action runs still acts once.
    fireEvent.click(confirm);
    fireEvent.click(confirm);
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(onConfirm).toHaveBeenCalledOnce();
  });
});
