import { z } from "zod";

type Translate = (key: string, options?: Record<string, unknown>) => string;

/** A decimal with at most two places, a comma or a point (German or English input). */
const DECIMAL = /^\d{1,10}([.,]\d{1,2})?$/;

function decimal(value: string): number {
  return Number(value.trim().replace(",", "."));
}

/**
 * What the server takes for an article (its limits: articles/domain.rs),
 * checked before sending so each mistake shows at its field at once.
 */
export function articleSchema(t: Translate) {
  const text = (max: number) => z.string().trim().max(max, t("validation.tooLong", { max }));
  const count = (max: number) =>
    z.union([z.literal(""), z.number().int().min(1, t("validation.range", { min: 1, max })).max(max, t("validation.range", { min: 1, max }))]);
  return z.object({
    sku: text(64)
      .min(1, t("validation.required"))
      .regex(/^\S*$/, t("validation.noSpaces")),
    title: text(200).min(1, t("validation.required")),
    description: text(10_000),
    price: z
      .string()
      .trim()
      .regex(DECIMAL, t("validation.price"))
      .refine((v) => decimal(v) <= 1_000_000_000, t("validation.price")),
    currency: z
      .string()
      .trim()
      .regex(/^[A-Za-z]{3}$/, t("validation.currency")),
    vat_rate: z
      .string()
      .trim()
      .regex(DECIMAL, t("validation.vatRate"))
      .refine((v) => decimal(v) <= 100, t("validation.vatRate")),
    active: z.boolean(),
    download_limit: count(10_000),
    validity_days: count(36_500),
  });
}
