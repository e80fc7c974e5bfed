import { describe, expect, it } from "vitest";

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

function failedFields(values: object): string[] {
  const result = schema.safeParse(values);
  return result.success ? [] : result.error.issues.map((issue) => issue.path.join("."));
}

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
  });
});
