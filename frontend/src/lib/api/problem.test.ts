import { afterEach, describe, expect, it } from "vitest";

import i18n from "../i18n";
import { applyProblem, describeProblem } from "./problem";

afterEach(async () => {
  await i18n.changeLanguage("en");
});

describe("describeProblem", () => {
  it("lists every invalid field", () => {
    const text = describeProblem({
      type: "urn:problem:delivery:validation_failed",
      title: "Unprocessable Entity",
      status: 422,
      code: "validation_failed",
      detail: "The request has invalid fields.",
      errors: [
        { field: "email", message: "is not a valid email address" },
        { field: "password", message: "must be at least 10 characters" },
      ],
    });
    expect(text).toBe(
      "The request has invalid fields. email is not a valid email address; password must be at least 10 characters.",
    );
  });

  it("uses the detail alone when no field is named", () => {
    expect(
      describeProblem({
        type: "urn:problem:delivery:unauthorized",
        title: "Unauthorized",
        status: 401,
        code: "unauthorized",
        detail: "Wrong email or password.",
      }),
    ).toBe("Wrong email or password.");
  });

  it("explains a missing answer", () => {
    expect(describeProblem(undefined)).toBe("The server could not be reached.");
  });

  it("speaks German in the German dashboard where it knows the code, and keeps the server's words otherwise", async () => {
    await i18n.changeLanguage("de");
    const taken = { type: "urn:problem:delivery:sku_taken", title: "Conflict", status: 409, code: "sku_taken", detail: "Another article of this shop has this SKU." };
    expect(describeProblem(taken)).toBe("Ein anderer Artikel des Shops hat diese Artikelnummer.");
    expect(describeProblem({ ...taken, code: "something_new", detail: "A new refusal." })).toBe("A new refusal.");
    expect(describeProblem(undefined)).toBe("Der Server ist nicht erreichbar.");
    await i18n.changeLanguage("en");
    expect(describeProblem(taken)).toBe("Another article of this shop has this SKU.");
  });
});

describe("applyProblem", () => {
  const problem = {
    type: "urn:problem:delivery:validation_failed",
    title: "Unprocessable Entity",
    status: 422,
    code: "validation_failed",
    detail: "The request has invalid fields.",
    errors: [
      { field: "sku", message: "is taken" },
      { field: "items[0].sku", message: "is not an article of this shop" },
    ],
  };

  it("puts each field's message beside the field and returns the rest", () => {
    const placed: Record<string, string> = {};
    const rest = applyProblem(problem, (field, message) => {
      if (field !== "sku") return false;
      placed[field] = message;
      return true;
    });
    expect(placed).toEqual({ sku: "is taken" });
    expect(rest).toBe("The request has invalid fields. items[0].sku is not an article of this shop.");
  });

  it("returns nothing when every field shows its message", () => {
    expect(applyProblem(problem, () => true)).toBeNull();
  });

  it("returns the detail of a problem without fields", () => {
    expect(applyProblem({ ...problem, errors: [] }, () => true)).toBe("The request has invalid fields.");
  });
});
