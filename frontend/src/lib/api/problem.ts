import { PROBLEMS_DE, serverWords } from "../../locales/problems-de";
import i18n from "../i18n";
import type { components } from "./schema";

export type Problem = components["schemas"]["Problem"];

/** The problem's detail in the dashboard's language (the server's own words in English). */
export function problemDetail(problem: Problem): string {
  return serverWords(PROBLEMS_DE, problem.code, problem.detail);
}

/**
 * One line for a person: the problem's detail, followed by each invalid
 * field and what is wrong with it.
 */
export function describeProblem(problem: Problem | undefined): string {
  if (!problem) {
    return i18n.t("common.unreachable");
  }
  const fields = (problem.errors ?? []).map((e) => `${e.field} ${e.message}`);
  const detail = problemDetail(problem);
  return fields.length > 0 ? `${detail} ${fields.join("; ")}.` : detail;
}

/** The error an API call threw or answered with, as a Problem when it is one. */
export function asProblem(error: unknown): Problem | undefined {
  if (error && typeof error === "object" && "status" in error && "detail" in error) {
    return error as Problem;
  }
  return undefined;
}

/**
 * Puts every field error of a validation problem next to its form field
 * (by the field's name, e.g. `billing_address.city`) and returns the
 * message for what no field shows, if anything is left.
 */
export function applyProblem(
  problem: Problem | undefined,
  setFieldError: (field: string, message: string) => boolean,
): string | null {
  if (!problem) return describeProblem(undefined);
  const unplaced = (problem.errors ?? []).filter((e) => !setFieldError(e.field, e.message));
  if ((problem.errors ?? []).length > 0 && unplaced.length === 0) return null;
  if (unplaced.length > 0) {
    return `${problemDetail(problem)} ${unplaced.map((e) => `${e.field} ${e.message}`).join("; ")}.`;
  }
  return problemDetail(problem);
}
