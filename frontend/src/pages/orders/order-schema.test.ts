import { describe, expect, it } from "vitest";

import { failedFields as failed } from "../../lib/schema-testing";
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

const failedFields = (values: object) => failed(schema, values);

describe("orderSchema", () => {
  it("takes what the server takes, trimmed", () => {
    const parsed = schema.parse(valid);
    expect(parsed.name).toBe("Jörg Müller");
    expect(schema.parse({ ...valid, email: " joerg@example.com " }).email).toBe("joerg@example.com");
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
