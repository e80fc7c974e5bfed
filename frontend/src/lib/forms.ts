import type { FieldValues, Path, UseFormSetError } from "react-hook-form";

import { applyProblem, asProblem } from "./api/problem";

/**
 * Shows a server problem on the form: each named field gets its message
 * beside it; the rest comes back as one line for the form.
 */
export function showProblem<T extends FieldValues>(
  error: unknown,
  setError: UseFormSetError<T>,
  fields: readonly string[],
): string | null {
  return applyProblem(asProblem(error), (field, message) => {
    if (!fields.includes(field)) return false;
    setError(field as Path<T>, { type: "server", message });
    return true;
  });
}

/** Empty text as null (optional API fields). */
export function orNull(value: string | null | undefined): string | null {
  const trimmed = value?.trim() ?? "";
  return trimmed === "" ? null : trimmed;
}
