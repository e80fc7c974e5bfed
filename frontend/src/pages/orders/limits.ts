import dayjs from "dayjs";
import { z } from "zod";

import type { components } from "../../lib/api/schema";
import { count, type Translate } from "../../lib/validation";

type Grant = components["schemas"]["GrantView"];
export type Change = components["schemas"]["UpdateDownloadsRequest"];

/**
 * The downloads form: the server's field names, plus the two "none" switches.
 * A blank count (not unlimited) or a blank date (not "no end") means "leave as
 * it is": that is how the form opens when the files being edited differ.
 */
export type LimitsValues = {
  unlimited: boolean;
  max_downloads: number | "";
  no_end: boolean;
  /** Local date and time as the picker shows it, `YYYY-MM-DD HH:mm:ss`. */
  expires_at: string | null;
  reset_used: boolean;
};

/** The one value every grant shares, or `undefined` when they differ. */
function shared<T>(grants: Grant[], value: (g: Grant) => T, same: (a: T, b: T) => boolean = Object.is): T | undefined {
  const first = value(grants[0]!);
  return grants.every((g) => same(value(g), first)) ? first : undefined;
}

/** The form as it opens for these grants (one file, or every file of the order). */
export function limitsValues(grants: Grant[]): LimitsValues {
  const max = shared(grants, (g) => g.max_downloads ?? null);
  const until = shared(grants, (g) => g.expires_at ?? null, sameInstant);
  return {
    unlimited: max === null,
    max_downloads: max ?? "",
    no_end: until === null,
    expires_at: until ? dayjs(until).format("YYYY-MM-DD HH:mm:ss") : null,
    reset_used: false,
  };
}

/** What the server takes (0–100 000 downloads); blank fields are left as they are. */
export function limitsSchema(t: Translate) {
  return z.object({
    unlimited: z.boolean(),
    max_downloads: z.union([z.literal(""), count(t, 0, 100_000)]),
    no_end: z.boolean(),
    expires_at: z.string().nullable(),
    reset_used: z.boolean(),
  });
}

function sameInstant(a: string | null, b: string | null): boolean {
  return a === b || (a != null && b != null && dayjs(a).valueOf() === dayjs(b).valueOf());
}

/**
 * The PATCH body for the grants being edited: a value is sent only when it is
 * filled in and at least one grant would change, so "edit all files" with
 * only a new count keeps each file's own end date. `null` when nothing would
 * change.
 */
export function limitsChange(values: LimitsValues, grants: Grant[], grantId?: string): Change | null {
  const change: Change = grantId ? { grant_id: grantId } : {};
  if (values.unlimited || values.max_downloads !== "") {
    const max = values.unlimited ? null : (values.max_downloads as number);
    if (grants.some((g) => (g.max_downloads ?? null) !== max)) change.max_downloads = max;
  }
  if (values.no_end || values.expires_at) {
    const until = values.no_end ? null : dayjs(values.expires_at).toISOString();
    if (grants.some((g) => !sameInstant(g.expires_at ?? null, until))) change.expires_at = until;
  }
  if (values.reset_used) change.reset_used = true;
  const changed = "max_downloads" in change || "expires_at" in change || change.reset_used === true;
  return changed ? change : null;
}
