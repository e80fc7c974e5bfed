import { z } from "zod";

import { chars, language, rawText, requiredText, type Translate } from "../../lib/validation";

/**
 * What the server takes for a notification template (its limits:
 * notifications/templates.rs), checked before sending so each mistake shows
 * at its field at once. Whether the template's syntax and placeholders are
 * right only the server can tell; it names the field, line and column.
 */
export function templateSchema(t: Translate) {
  return z.object({
    name: requiredText(t, 100),
    language: language(t),
    // The sources are stored as typed, so their limits count every blank.
    subject: rawText(t, 300),
    body_text: rawText(t, 50_000),
    // The form sends a blank HTML body as none, so only a real one is limited.
    body_html: z.string().refine((v) => v.trim() === "" || chars(v) <= 50_000, t("validation.tooLong", { max: 50_000 })),
  });
}
