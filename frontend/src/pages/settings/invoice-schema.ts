import { z } from "zod";

import { chars, count, lines, text, trimmedString, type Translate } from "../../lib/validation";

/**
 * What the server takes for the invoice settings (its limits:
 * invoices/settings.rs and invoices/domain.rs), checked before sending so
 * each mistake shows at its field at once.
 */
export function invoiceSchema(t: Translate) {
  return z
    .object({
      company_name: text(t, 200),
      address: lines(t, 500, 6),
      vat_id: text(t, 30),
      tax_number: text(t, 30),
      contact: lines(t, 500, 4),
      bank_details: lines(t, 500, 4),
      footer: lines(t, 1000, 10),
      number_prefix: trimmedString()
        .refine((v) => chars(v) <= 20, t("validation.numberPrefix"))
        .regex(/^[A-Za-z0-9_/.#-]*$/, t("validation.numberPrefix")),
      number_with_year: z.boolean(),
      number_digits: count(t, 1, 10),
      issue_mode: z.enum(["manual", "on_paid", "on_portal_open"]),
    })
    .superRefine((v, ctx) => {
      // Automatic issuing must never fail for lack of the seller's name or address.
      if (v.issue_mode === "manual") return;
      for (const field of ["company_name", "address"] as const) {
        if (v[field] === "") ctx.addIssue({ code: "custom", path: [field], message: t("validation.requiredForAutomatic") });
      }
    });
}
