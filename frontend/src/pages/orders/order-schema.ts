import { z } from "zod";

type Translate = (key: string, options?: Record<string, unknown>) => string;

/**
 * What the server takes for a manual order (its limits: orders/routes.rs),
 * checked before sending so the seller sees each mistake at its field at once.
 */
export function orderSchema(t: Translate) {
  const text = (max: number) => z.string().trim().max(max, t("validation.tooLong", { max }));
  return z.object({
    name: text(200).min(1, t("validation.required")),
    email: z.email(t("validation.email")),
    language: z.enum(["de", "en"]),
    company: text(200),
    street: text(200),
    postal_code: text(20),
    city: text(100),
    country: z
      .string()
      .trim()
      .regex(/^([A-Za-z]{2})?$/, t("validation.country")),
    status: z.enum(["open", "paid"]),
    items: z
      .array(z.object({ article_id: z.string().nullable(), quantity: z.number().int().min(1).max(1000) }))
      .min(1, t("validation.required")),
  });
}
