import { describe, expect, it } from "vitest";

import { failedFields, problems } from "../../lib/schema-testing";
import { templateSchema } from "./template-schema";

const schema = templateSchema((key) => key);
const valid = {
  name: " downloads_ready ",
  language: "de",
  subject: "Ihre Downloads zu Bestellung {{ order_number }} ",
  body_text: "Hallo {{ customer_name }},\n\nIhre Dateien: {{ portal_url }}\n",
  body_html: "",
};

describe("templateSchema", () => {
  it("takes a template, trims its name and keeps its sources as typed", () => {
    const parsed = schema.parse(valid);
    expect(parsed.name).toBe("downloads_ready");
    expect(parsed.subject).toBe(valid.subject);
    expect(parsed.body_text).toBe(valid.body_text);
    expect(failedFields(schema, { ...valid, subject: "", body_text: "", language: "en" })).toEqual([]);
    expect(failedFields(schema, { ...valid, language: "DE-at" })).toEqual([]);
  });

  it("names each field the server would refuse", () => {
    expect(problems(schema, { ...valid, name: "  " })).toEqual({ name: "validation.required" });
    expect(problems(schema, { ...valid, name: "n".repeat(101) })).toEqual({ name: "validation.tooLong" });
    expect(problems(schema, { ...valid, language: "fr" })).toEqual({ language: "validation.language" });
    expect(problems(schema, { ...valid, subject: "s".repeat(301) })).toEqual({ subject: "validation.tooLong" });
    expect(failedFields(schema, { ...valid, body_text: "b".repeat(50_001) })).toEqual(["body_text"]);
    expect(problems(schema, { ...valid, body_html: `<p>${"h".repeat(49_994)}</p>` })).toEqual({ body_html: "validation.tooLong" });
  });

  it("counts blanks in the sources, as the server does", () => {
    expect(failedFields(schema, { ...valid, subject: `${"s".repeat(300)}` })).toEqual([]);
    expect(failedFields(schema, { ...valid, subject: `${"s".repeat(300)} ` })).toEqual(["subject"]);
    expect(failedFields(schema, { ...valid, subject: "🎉".repeat(300) })).toEqual([]);
  });

  it("does not limit an HTML body that is sent as none", () => {
    expect(failedFields(schema, { ...valid, body_html: " ".repeat(50_001) })).toEqual([]);
  });
});
