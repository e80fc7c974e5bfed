import { z } from "zod";

import { count, email, requiredText, text, trimmedString, type Translate } from "../../lib/validation";

/**
 * What the server takes for a manual order (its limits: orders/routes.rs),
 * checked before sending so the seller sees each mistake at its field at once.
 */
export function orderSchema(t: Translate) {
  return z.object({
    name: requiredText(t, 200),
    email: email(t),
    language: z.enum(["de", "en"]),
    company: text(t, 200),
    street: text(t, 200),
    postal_code: text(t, 20),
    city: text(t, 100),
    country: trimmedString().regex(/^([A-Za-z]{2})?$/, t("validation.country")),
    status: z.enum(["open", "paid"]),
    items: z
      .array(z.object({ article_id: z.string().nullable(), quantity: count(t, 1, 1000) }))
      .min(1, t("validation.required")),
  });
}
