import type { z } from "zod";

/** Each refused field (`items.0.quantity`) with its first message, as the form would show it. */
export function problems(schema: z.ZodType, values: unknown): Record<string, string> {
  const result = schema.safeParse(values);
  const found: Record<string, string> = {};
  for (const issue of result.success ? [] : result.error.issues) {
    found[issue.path.join(".")] ??= issue.message;
  }
  return found;
}

/** The fields a schema refuses in `values`, each once, in order. */
export function failedFields(schema: z.ZodType, values: unknown): string[] {
  return Object.keys(problems(schema, values));
}
