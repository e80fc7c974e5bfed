import { describe, expect, it } from "vitest";

import { failedFields, problems } from "../../lib/schema-testing";
import { apiKeySchema } from "./api-key-schema";

const schema = apiKeySchema((key) => key);
const valid = { name: " Shopware-Import ", scope: "read_write" };

describe("apiKeySchema", () => {
  it("takes a key's name and scope, the name trimmed", () => {
    expect(schema.parse(valid)).toEqual({ name: "Shopware-Import", scope: "read_write" });
    expect(failedFields(schema, { name: "n".repeat(100), scope: "read" })).toEqual([]);
  });

  it("names each field the server would refuse", () => {
    expect(problems(schema, { ...valid, name: " \t " })).toEqual({ name: "validation.required" });
    expect(problems(schema, { ...valid, name: "n".repeat(101) })).toEqual({ name: "validation.tooLong" });
    expect(problems(schema, { ...valid, name: "Import\u001b[31m" })).toEqual({ name: "validation.controlChars" });
    expect(failedFields(schema, { ...valid, scope: "admin" })).toEqual(["scope"]);
  });
});
