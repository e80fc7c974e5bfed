import { describe, expect, it } from "vitest";

import { bytes, money } from "./format";

describe("format", () => {
  it("writes money the language's way", () => {
    expect(money("1234.5", "EUR", "de")).toBe("1.234,50\u00a0€");
    expect(money("1234.5", "EUR", "en")).toBe("€1,234.50");
  });

  it("writes sizes in binary units", () => {
    expect(bytes(512, "en")).toBe("512 B");
    expect(bytes(1536, "en")).toBe("1.5 KB");
    expect(bytes(5 * 1024 * 1024, "de")).toBe("5 MB");
  });
});
