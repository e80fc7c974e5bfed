import type { components } from "./schema";

export type Problem = components["schemas"]["Problem"];

/**
 * One line for a person: the problem's detail, followed by each invalid
 * field and what is wrong with it.
 */
export function describeProblem(problem: Problem | undefined): string {
  if (!problem) {
    return "The server could not be reached.";
  }
  const fields = (problem.errors ?? []).map((e) => `${e.field} ${e.message}`);
  return fields.length > 0 ? `${problem.detail} ${fields.join("; ")}.` : problem.detail;
}
