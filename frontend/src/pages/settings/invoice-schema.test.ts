import { describe, expect, it } from "vitest";

import { failedFields, problems } from "../../lib/schema-testing";
import { invoiceSchema } from "./invoice-schema";

const schema = invoiceSchema((key) => key);
const valid = {
  company_name: " Müller Lernmedien GmbH ",
  address: "Hauptstraße 1\r\n10115 Berlin\r\nDeutschland\r\n",
  vat_id: "DE123456789",
  tax_number: "",
  contact: "info@example.de\n+49 30 123456",
  bank_details: "IBAN DE02 1203 0000 0000 2020 51",
  footer: "",
  number_prefix: "RE-",
  number_with_year: true,
  number_digits: 5,
  issue_mode: "manual",
};

describe("invoiceSchema", () => {
  it("takes the settings and sends the lines as the server stores them", () => {
    const parsed = schema.parse(valid);
    expect(parsed.company_name).toBe("Müller Lernmedien GmbH");
    expect(parsed.address).toBe("Hauptstraße 1\n10115 Berlin\nDeutschland");
    expect(failedFields(schema, { ...valid, number_prefix: "", number_digits: 10, issue_mode: "on_paid" })).toEqual([]);
    expect(failedFields(schema, { ...valid, company_name: "", address: "" })).toEqual([]);
  });

  it("names each field the server would refuse", () => {
    expect(problems(schema, { ...valid, company_name: "G".repeat(201) })).toEqual({ company_name: "validation.tooLong" });
    expect(problems(schema, { ...valid, address: "1\n2\n3\n4\n5\n6\n7" })).toEqual({ address: "validation.tooManyLines" });
    expect(problems(schema, { ...valid, address: "a".repeat(501) })).toEqual({ address: "validation.tooLong" });
    expect(problems(schema, { ...valid, address: "Hauptstraße 1\u000b10115 Berlin" })).toEqual({ address: "validation.controlChars" });
    expect(failedFields(schema, { ...valid, contact: "1\n2\n3\n4\n5" })).toEqual(["contact"]);
    expect(failedFields(schema, { ...valid, bank_details: "b".repeat(501) })).toEqual(["bank_details"]);
    expect(failedFields(schema, { ...valid, footer: "f".repeat(1001) })).toEqual(["footer"]);
    expect(failedFields(schema, { ...valid, footer: Array(11).fill("Zeile").join("\n") })).toEqual(["footer"]);
    expect(problems(schema, { ...valid, vat_id: "D".repeat(31) })).toEqual({ vat_id: "validation.tooLong" });
    expect(failedFields(schema, { ...valid, tax_number: "1".repeat(31) })).toEqual(["tax_number"]);
    expect(problems(schema, { ...valid, number_prefix: "RE 2026" })).toEqual({ number_prefix: "validation.numberPrefix" });
    expect(failedFields(schema, { ...valid, number_prefix: "R".repeat(21) })).toEqual(["number_prefix"]);
    expect(failedFields(schema, { ...valid, number_prefix: "Ü-" })).toEqual(["number_prefix"]);
    expect(problems(schema, { ...valid, number_digits: 11 })).toEqual({ number_digits: "validation.range" });
    expect(failedFields(schema, { ...valid, number_digits: 0 })).toEqual(["number_digits"]);
  });

  it("keeps tabs in lines and counts them after trimming", () => {
    expect(failedFields(schema, { ...valid, bank_details: "IBAN\tDE02", footer: `\n\n${"f".repeat(1000)}  ` })).toEqual([]);
  });

  it("needs name and address when invoices are issued automatically", () => {
    expect(problems(schema, { ...valid, company_name: " ", address: "", issue_mode: "on_portal_open" })).toEqual({
      company_name: "validation.requiredForAutomatic",
      address: "validation.requiredForAutomatic",
    });
  });
});
