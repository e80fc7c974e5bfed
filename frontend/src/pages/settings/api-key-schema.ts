import { z } from "zod";

import { requiredText, type Translate } from "../../lib/validation";

/**
 * What the server takes for a new API key (its limits: api_keys/routes.rs),
 * checked before sending so a mistake shows at its field at once.
 */
export function apiKeySchema(t: Translate) {
  return z.object({
    name: requiredText(t, 100),
    scope: z.enum(["read", "read_write"]),
  });
}
