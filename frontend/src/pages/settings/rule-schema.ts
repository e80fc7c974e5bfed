import { z } from "zod";

import { decimal, language, requiredText, type Translate } from "../../lib/validation";

/**
 * What the server takes for a rule (its limits: notifications/rules.rs),
 * checked before sending so each mistake shows at its field at once.
 */
export function ruleSchema(t: Translate) {
  return z.object({
    name: requiredText(t, 100),
    trigger: z.enum(["order_paid", "status_changed", "order_created"]),
    trigger_status: z.string().nullable(),
    template_name: requiredText(t, 100),
    language: language(t).nullable(),
    // Channel names as orders carry them (at most 50 characters); none = every channel.
    channels: z.array(requiredText(t, 50)).max(50, t("validation.tooManyItems", { max: 50 })),
    // A price: the same amounts an article may cost, with a comma or a point.
    min_total: decimal(t("validation.price"), 1_000_000_000, { optional: true }),
    only_digital: z.boolean(),
    repeatable: z.boolean(),
    enabled: z.boolean(),
    action: z.enum(["email", "sales_channel"]),
  });
}
