import { z } from "zod";

import { freeText, optionalCount, optionalEmail, parseUrl, text, trimmedString, type Translate } from "../../lib/validation";

/** Longest logo URL the server stores, in bytes. */
const MAX_LOGO_BYTES = 2000;

/** A logo the server takes: none, or an https URL of at most 2000 bytes. */
export function isLogoUrl(value: string): boolean {
  if (value === "") return true;
  const url = parseUrl(value);
  return new TextEncoder().encode(value).length <= MAX_LOGO_BYTES && url?.protocol === "https:" && url.hostname !== "";
}

/**
 * What the server takes for the portal settings (its limits:
 * portal/settings.rs), checked before sending so each mistake shows at its
 * field at once.
 */
export function portalSchema(t: Translate) {
  return z.object({
    enabled: z.boolean(),
    // Blank means the shop's name.
    title: text(t, 100),
    logo_url: trimmedString().refine(isLogoUrl, t("validation.httpsUrl")),
    accent_color: trimmedString().regex(/^#[0-9A-Fa-f]{6}$/, t("validation.color")),
    welcome_text: freeText(t, 2000),
    footer_text: freeText(t, 2000),
    default_download_limit: optionalCount(t, 1, 10_000),
    validity_days: optionalCount(t, 1, 36_500),
    invoice_download: z.boolean(),
    contact_form: z.boolean(),
    support_email: optionalEmail(t),
  });
}
