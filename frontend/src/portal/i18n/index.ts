import { de } from "./de";
import { en, type Texts } from "./en";

/** Every language of the portal; adding one is adding a file and a line here. */
export const languages: Record<string, Texts> = { de, en };

export type Language = keyof typeof languages;

/** The order's language if the portal has it, else German. */
export function pickLanguage(wanted: string | undefined): string {
  return wanted && wanted in languages ? wanted : "de";
}

/** Replaces `{name}` placeholders. */
export function fill(text: string, values: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (_, key: string) => String(values[key] ?? `{${key}}`));
}

/** A reason code's text, in the chosen language. */
export function reasonText(texts: Texts, code: string | null | undefined, values: Record<string, string> = {}): string {
  const reasons = texts.reasons as Record<string, string>;
  return fill(reasons[code ?? "generic"] ?? reasons.generic ?? "", values);
}

/** A byte count for people: 1.2 MB, 830 KB. */
export function formatSize(bytes: number, language: string): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toLocaleString(language, { maximumFractionDigits: digits })} ${units[unit]}`;
}

/** A date in the language's usual form. */
export function formatDate(iso: string, language: string): string {
  return new Date(iso).toLocaleDateString(language, { year: "numeric", month: "long", day: "numeric" });
}
