import { describe, expect, it } from "vitest";

import { orderSchema } from "./order-schema";

const schema = orderSchema((key) => key);
const valid = {
  name: " Jörg Müller ",
  email: "joerg@example.com",
  language: "de",
  company: "",
  street: "Hauptstraße 1",
  postal_code: "10115",
  city: "Berlin",
  country: "de",
  status: "paid",
  items: [{ article_id: "a", quantity: 2 }],
};

function failedFields(values: object): string[] {
  const result = schema.safeParse(values);
  return result.success ? [] : result.error.issues.map((issue) => issue.path.join("."));
}

describe("orderSchema", () => {
  it("takes what the server takes, trimmed", () => {
    const parsed = schema.parse(valid);
    expect(parsed.name).toBe("Jörg Müller");
  });

  it("names each field the server would refuse", () => {
    expect(failedFields({ ...valid, name: "   " })).toEqual(["name"]);
    expect(failedFields({ ...valid, email: "joerg" })).toEqual(["email"]);
    expect(failedFields({ ...valid, country: "DEU" })).toEqual(["country"]);
    expect(failedFields({ ...valid, postal_code: "1".repeat(21) })).toEqual(["postal_code"]);
    expect(failedFields({ ...valid, items: [{ article_id: "a", quantity: 1001 }] })).toEqual(["items.0.quantity"]);
    expect(failedFields({ ...valid, items: [] })).toEqual(["items"]);
  });
});
