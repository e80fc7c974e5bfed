import { describe, expect, it } from "vitest";

import { failedFields, problems } from "../../lib/schema-testing";
import { ruleSchema } from "./rule-schema";

const schema = ruleSchema((key) => key);
const valid = {
  name: " Downloads bereit ",
  trigger: "order_paid",
  trigger_status: null,
  template_name: "downloads_ready",
  language: null,
  channels: [],
  min_total: "",
  only_digital: true,
  repeatable: false,
  enabled: true,
  action: "email",
};

describe("ruleSchema", () => {
  it("takes a rule, with or without a minimum total", () => {
    expect(schema.parse(valid).name).toBe("Downloads bereit");
    expect(failedFields(schema, { ...valid, trigger: "status_changed", trigger_status: "shipped", language: "de" })).toEqual([]);
  });

  it("takes the minimum total with a German comma or an English point", () => {
    for (const amount of ["49,90", "49.90", " 50 ", "0", "1000000000"]) {
      expect(failedFields(schema, { ...valid, min_total: amount }), amount).toEqual([]);
    }
  });

  it("names each field the server would refuse", () => {
    expect(problems(schema, { ...valid, name: "" })).toEqual({ name: "validation.required" });
    expect(problems(schema, { ...valid, name: "r".repeat(101) })).toEqual({ name: "validation.tooLong" });
    expect(problems(schema, { ...valid, template_name: "" })).toEqual({ template_name: "validation.required" });
    expect(failedFields(schema, { ...valid, template_name: "t".repeat(101) })).toEqual(["template_name"]);
    expect(problems(schema, { ...valid, language: "fr" })).toEqual({ language: "validation.language" });
    for (const amount of ["49,999", "1000000000,01", "-5", "5 €", "1.000,00"]) {
      expect(problems(schema, { ...valid, min_total: amount }), amount).toEqual({ min_total: "validation.price" });
    }
  });

  it("takes up to 50 channel names, trimmed, each at most 50 characters", () => {
    expect(schema.parse({ ...valid, channels: [" shopify ", "amazon"] }).channels).toEqual(["shopify", "amazon"]);
    expect(failedFields(schema, { ...valid, channels: Array.from({ length: 50 }, (_, i) => `c${i}`) })).toEqual([]);
    expect(problems(schema, { ...valid, channels: Array.from({ length: 51 }, (_, i) => `c${i}`) })).toEqual({ channels: "validation.tooManyItems" });
    expect(failedFields(schema, { ...valid, channels: ["c".repeat(51)] })).toEqual(["channels.0"]);
    expect(failedFields(schema, { ...valid, channels: [" "] })).toEqual(["channels.0"]);
  });
});
