import { describe, expect, it } from "vitest";

import { failedFields as failed } from "../../lib/schema-testing";
import { articleSchema } from "./article-schema";

const schema = articleSchema((key) => key);
const valid = {
  sku: "EBOOK-1",
  title: "Übungsbuch",
  description: "",
  price: "19,99",
  currency: "EUR",
  vat_rate: "7",
  active: true,
  download_limit: "",
  validity_days: 30,
};

const failedFields = (values: object) => failed(schema, values);

describe("articleSchema", () => {
  it("takes German and English prices and empty limits", () => {
    expect(failedFields(valid)).toEqual([]);
    expect(failedFields({ ...valid, price: "19.99", vat_rate: "19,00" })).toEqual([]);
  });

  it("names each field the server would refuse", () => {
    expect(failedFields({ ...valid, sku: "E BOOK" })).toEqual(["sku"]);
    expect(failedFields({ ...valid, title: "  " })).toEqual(["title"]);
    expect(failedFields({ ...valid, price: "19.999" })).toEqual(["price"]);
    expect(failedFields({ ...valid, price: "2000000000" })).toEqual(["price"]);
    expect(failedFields({ ...valid, currency: "EURO" })).toEqual(["currency"]);
    expect(failedFields({ ...valid, vat_rate: "101" })).toEqual(["vat_rate"]);
    expect(failedFields({ ...valid, download_limit: 0 })).toEqual(["download_limit"]);
    expect(failedFields({ ...valid, validity_days: 36_501 })).toEqual(["validity_days"]);
    expect(failedFields({ ...valid, description: "a\u0000b" })).toEqual(["description"]);
  });

  it("counts characters as the server does and sends the trimmed text", () => {
    expect(failedFields({ ...valid, title: "📘".repeat(200) })).toEqual([]);
    expect(failedFields({ ...valid, title: "📘".repeat(201) })).toEqual(["title"]);
    expect(failedFields({ ...valid, title: "Buch\u0007" })).toEqual(["title"]);
    expect(schema.parse({ ...valid, sku: "  EBOOK-1\u3000" }).sku).toBe("EBOOK-1");
  });
});
