import { describe, expect, it } from "vitest";

import { chars, decimal, lines, pointDecimal, text, trimmed } from "./validation";

const t = (key: string) => key;

describe("trimmed", () => {
  it("trims what Rust's str::trim trims, not what JavaScript's does", () => {
    expect(trimmed("\u0085 Shop\u3000\n")).toBe("Shop");
    expect(trimmed("\uFEFFShop")).toBe("\uFEFFShop");
  });
});

describe("chars", () => {
  it("counts code points, as the server does", () => {
    expect(chars("Übung 📘")).toBe(7);
  });
});

describe("text", () => {
  it("refuses control characters but not umlauts or emoji", () => {
    expect(text(t, 5).safeParse(" Äöü📘 ").success).toBe(true);
    expect(text(t, 5).safeParse("a\u0085b").success).toBe(false);
    expect(text(t, 5).safeParse("a\tb").success).toBe(false);
  });
});

describe("lines", () => {
  it("reads \\r\\n as one break and counts lines after trimming", () => {
    expect(lines(t, 100, 2).parse("\r\nHauptstraße 1\r\n10115 Berlin\r\n\r\n")).toBe("Hauptstraße 1\n10115 Berlin");
    expect(lines(t, 100, 2).safeParse("a\nb\nc").success).toBe(false);
    expect(lines(t, 100, 2).safeParse("a\rb").success).toBe(false);
  });
});

describe("decimal", () => {
  it("takes a comma or a point with at most two places, up to the limit", () => {
    const price = decimal("price", 100);
    for (const ok of ["7", "7,5", "19.99", " 100,00 "]) expect(price.safeParse(ok).success, ok).toBe(true);
    for (const bad of ["", "7,555", "100,01", "1.000,00", "-1", "1e2"]) expect(price.safeParse(bad).success, bad).toBe(false);
    expect(decimal("price", 100, { optional: true }).safeParse(" ").success).toBe(true);
    expect(pointDecimal(" 19,99 ")).toBe("19.99");
  });
});
