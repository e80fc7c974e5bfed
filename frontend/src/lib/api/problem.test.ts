import { describe, expect, it } from "vitest";

import { describeProblem } from "./problem";

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
});
