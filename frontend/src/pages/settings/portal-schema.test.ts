import { describe, expect, it } from "vitest";

import { failedFields, problems } from "../../lib/schema-testing";
import { isLogoUrl, portalSchema } from "./portal-schema";

const schema = portalSchema((key) => key);
const valid = {
  enabled: true,
  title: " Müllers Kurse ",
  logo_url: "",
  accent_color: "#2f6f4f",
  welcome_text: "Willkommen!\nHier finden Sie Ihre Downloads.",
  footer_text: "",
  default_download_limit: 5,
  validity_days: "",
  invoice_download: false,
  contact_form: true,
  support_email: "",
};

describe("portalSchema", () => {
  it("takes the settings, blanks for none, and sends them trimmed", () => {
    const parsed = schema.parse({ ...valid, title: "  ", support_email: " hilfe@example.de ", logo_url: "https://cdn.example.de/logo.png" });
    expect(parsed.title).toBe("");
    expect(parsed.support_email).toBe("hilfe@example.de");
    expect(schema.parse(valid).title).toBe("Müllers Kurse");
    expect(failedFields(schema, { ...valid, default_download_limit: 10_000, validity_days: 36_500, accent_color: "#ABCDEF" })).toEqual([]);
  });

  it("names each field the server would refuse", () => {
    expect(problems(schema, { ...valid, title: "T".repeat(101) })).toEqual({ title: "validation.tooLong" });
    expect(problems(schema, { ...valid, title: "Kurse\u0007" })).toEqual({ title: "validation.controlChars" });
    expect(problems(schema, { ...valid, logo_url: "http://example.de/logo.png" })).toEqual({ logo_url: "validation.httpsUrl" });
    expect(problems(schema, { ...valid, accent_color: "#2f6f4" })).toEqual({ accent_color: "validation.color" });
    expect(failedFields(schema, { ...valid, accent_color: "grün" })).toEqual(["accent_color"]);
    expect(problems(schema, { ...valid, welcome_text: "x".repeat(2001) })).toEqual({ welcome_text: "validation.tooLong" });
    expect(problems(schema, { ...valid, footer_text: "Impressum\u0000" })).toEqual({ footer_text: "validation.nul" });
    expect(problems(schema, { ...valid, default_download_limit: 0 })).toEqual({ default_download_limit: "validation.range" });
    expect(failedFields(schema, { ...valid, default_download_limit: 10_001 })).toEqual(["default_download_limit"]);
    expect(failedFields(schema, { ...valid, validity_days: 36_501 })).toEqual(["validity_days"]);
    expect(problems(schema, { ...valid, support_email: "hilfe@localhost" })).toEqual({ support_email: "validation.email" });
  });

  it("counts long texts after trimming, as the server does", () => {
    expect(failedFields(schema, { ...valid, welcome_text: `  ${"x".repeat(2000)}\n\n` })).toEqual([]);
  });
});

describe("isLogoUrl", () => {
  it("takes none or an https URL of at most 2000 bytes", () => {
    expect(isLogoUrl("")).toBe(true);
    expect(isLogoUrl("https://cdn.example.de/logo.png")).toBe(true);
    expect(isLogoUrl(`https://cdn.example.de/${"a".repeat(1977)}`)).toBe(true);
    expect(isLogoUrl(`https://cdn.example.de/${"a".repeat(1978)}`)).toBe(false);
    expect(isLogoUrl("cdn.example.de/logo.png")).toBe(false);
    expect(isLogoUrl("data:image/png;base64,AAAA")).toBe(false);
  });
});
