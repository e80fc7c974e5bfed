import { z } from "zod";

import { decimal, freeText, optionalCount, requiredText, trimmedString, type Translate } from "../../lib/validation";

/**
 * What the server takes for an article (its limits: articles/domain.rs),
 * checked before sending so each mistake shows at its field at once.
 */
export function articleSchema(t: Translate) {
  return z.object({
    sku: requiredText(t, 64).regex(/^\S*$/, t("validation.noSpaces")),
    title: requiredText(t, 200),
    description: freeText(t, 10_000),
    price: decimal(t("validation.price"), 1_000_000_000),
    currency: trimmedString().regex(/^[A-Za-z]{3}$/, t("validation.currency")),
    vat_rate: decimal(t("validation.vatRate"), 100),
    active: z.boolean(),
    download_limit: optionalCount(t, 1, 10_000),
    validity_days: optionalCount(t, 1, 36_500),
  });
}
