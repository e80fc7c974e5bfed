import { describe, expect, it } from "vitest";

import { de } from "./de";
import { en } from "./en";
import { fill, formatSize, pickLanguage, reasonText } from "./index";

describe("portal texts", () => {
  it("has the same keys in every language", () => {
    expect(Object.keys(de).sort()).toEqual(Object.keys(en).sort());
    expect(Object.keys(de.reasons).sort()).toEqual(Object.keys(en.reasons).sort());
  });

  it("fills placeholders and falls back for unknown reasons", () => {
    expect(fill(en.left, { left: 2, max: 5 })).toBe("2 of 5 downloads left");
    expect(reasonText(de, "download_expired", { date: "3. November 2026" })).toContain("3. November 2026");
    expect(reasonText(en, "something_new")).toBe(en.reasons.generic);
  });

  it("picks a known language or German", () => {
    expect(pickLanguage("en")).toBe("en");
    expect(pickLanguage("fr")).toBe("de");
  });

  it("formats sizes for people", () => {
    expect(formatSize(512, "en")).toBe("512 B");
    expect(formatSize(1_234_567, "en")).toBe("1.2 MB");
    expect(formatSize(1_234_567, "de")).toBe("1,2 MB");
  });
});
