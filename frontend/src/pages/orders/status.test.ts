import { describe, expect, it } from "vitest";

import { STATUSES, isFinalLock, nextStatuses } from "./status";

describe("nextStatuses", () => {
  it("offers payment and cancellation for an open order only", () => {
    expect(nextStatuses("open")).toEqual(["paid", "cancelled"]);
  });

  it("ends at cancelled and refunded", () => {
    expect(nextStatuses("cancelled")).toEqual([]);
    expect(nextStatuses("refunded")).toEqual([]);
  });

  it("never offers going back to open", () => {
    for (const status of STATUSES) expect(nextStatuses(status)).not.toContain("open");
  });
});

describe("isFinalLock", () => {
  it("asks first exactly for the statuses nothing follows", () => {
    for (const status of STATUSES) expect(isFinalLock(status)).toBe(nextStatuses(status).length === 0);
    expect(isFinalLock(null)).toBe(false);
  });
});
