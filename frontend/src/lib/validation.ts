import { z } from "zod";

/** i18next's `t`, as far as the form schemas need it. */
export type Translate = (key: string, options?: Record<string, unknown>) => string;

// The server trims with Rust's `str::trim` (Unicode White_Space). JavaScript's
// `trim` differs in two characters (it removes U+FEFF and keeps U+0085), so a
// limit checked after JavaScript's trim could disagree with the server's.
/** White space as Rust sees it, as a regular-expression character class. */
export const SPACE = "[\\t-\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]";
const EDGES = new RegExp(`^${SPACE}+|${SPACE}+$`, "g");

/** The text as the server trims it. */
export function trimmed(value: string): string {
  return value.replace(EDGES, "");
}

/** Characters as the server counts them: code points, so an emoji is one, not two. */
export function chars(value: string): number {
  return [...value].length;
}

/** Whether the text has a Unicode control character (Cc), as Rust's `char::is_control` sees it. */
export function hasControl(value: string): boolean {
  return /\p{Cc}/u.test(value);
}

/** Like `hasControl`, but line breaks and tabs are allowed. */
function hasControlBesidesBreaks(value: string): boolean {
  return /[^\P{Cc}\n\t]/u.test(value);
}

/** A string trimmed the server's way before any check, and sent trimmed. */
export function trimmedString() {
  return z.string().overwrite(trimmed);
}

/** At most `max` characters as the server counts them. */
function maxChars(schema: z.ZodString, t: Translate, max: number) {
  return schema.refine((v) => chars(v) <= max, t("validation.tooLong", { max }));
}

/** A single line that may stay empty (`Text`, or blank for none): trimmed, bounded, no control characters. */
export function text(t: Translate, max: number) {
  return maxChars(trimmedString(), t, max).refine((v) => !hasControl(v), t("validation.controlChars"));
}

/** A single line that must be filled in (`Text::parse(raw, 1, max)`). */
export function requiredText(t: Translate, max: number) {
  return text(t, max).min(1, t("validation.required"));
}

/** Free text of several lines (descriptions, portal texts): trimmed, bounded, only NUL refused. */
export function freeText(t: Translate, max: number) {
  return maxChars(trimmedString(), t, max).refine((v) => !v.includes("\u0000"), t("validation.nul"));
}

/**
 * Lines of an address or footer (`MultilineText`): `\r\n` read as one break,
 * trimmed, bounded in characters and lines; tabs and breaks are the only
 * control characters kept.
 */
export function lines(t: Translate, max: number, maxLines: number) {
  return maxChars(
    z.string().overwrite((v) => trimmed(v.replace(/\r\n/g, "\n"))),
    t,
    max,
  )
    .refine((v) => v === "" || v.split("\n").length <= maxLines, t("validation.tooManyLines", { max: maxLines }))
    .refine((v) => !hasControlBesidesBreaks(v), t("validation.controlChars"));
}

/** Untrimmed text of at most `max` characters (template sources keep their blanks). */
export function rawText(t: Translate, max: number) {
  return maxChars(z.string(), t, max);
}

/** `de` or `en` in any case, optionally with a region (`de-AT`), as `parse_language` takes it. */
export function language(t: Translate) {
  return trimmedString().regex(/^(de|en)([-_][\s\S]*)?$/i, t("validation.language"));
}

/** A decimal with at most two places, a comma or a point (German or English input). */
const DECIMAL = /^\d{1,10}([.,]\d{1,2})?$/;

/** The decimal as the API takes it: a point, never a comma. */
export function pointDecimal(value: string): string {
  return trimmed(value).replace(",", ".");
}

function isDecimal(value: string, max: number): boolean {
  return DECIMAL.test(value) && Number(pointDecimal(value)) <= max;
}

/** A decimal from 0 to `max` with at most two places; `optional` lets it stay empty. */
export function decimal(message: string, max: number, { optional = false } = {}) {
  return trimmedString().refine((v) => (optional && v === "") || isDecimal(v, max), message);
}

/** A whole number from `min` to `max`. */
export function count(t: Translate, min: number, max: number) {
  const message = t("validation.range", { min, max });
  return z.number(message).int(message).min(min, message).max(max, message);
}

/** A whole number from `min` to `max`, or empty for none. */
export function optionalCount(t: Translate, min: number, max: number) {
  return z.union([z.literal(""), count(t, min, max)], t("validation.range", { min, max }));
}

/** An email address as the server takes it: trimmed, at most 254 characters. */
export function email(t: Translate) {
  return trimmedString().max(254, t("validation.tooLong", { max: 254 })).regex(z.regexes.email, t("validation.email"));
}

/** An email address, or empty for none. */
export function optionalEmail(t: Translate) {
  return trimmedString().pipe(z.union([z.literal(""), email(t)]));
}

/** The text as an absolute URL, or null when it is not one. */
export function parseUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}
