import { z } from "zod";

import { SPACE, hasControl, parseUrl, requiredText, text, trimmed, trimmedString, type Translate } from "../../lib/validation";

/** Longest object key S3 allows, in bytes; the root prefix with its closing `/` must fit. */
const MAX_KEY_BYTES = 1024;
/** Leading slashes and blanks in any mix, which the server drops. */
const LEADING = new RegExp(`^(?:/|${SPACE})+`);

/**
 * An endpoint the server can take: the service's base URL over https (or
 * http, which the server may switch off), without credentials, path, query
 * or fragment. Whether its host is allowed only the server can tell.
 */
export function isEndpoint(value: string): boolean {
  const url = parseUrl(value);
  return (
    url !== null &&
    (url.protocol === "https:" || url.protocol === "http:") &&
    url.hostname !== "" &&
    url.username === "" &&
    url.password === "" &&
    url.pathname === "/" &&
    !/[?#]/.test(value)
  );
}

/**
 * What is wrong with a root prefix (`storage/keys.rs`: `parse_root_prefix`),
 * or null. The server drops leading slashes and blanks and adds the closing
 * slash; it refuses anything that could point outside the folder.
 */
export function rootPrefixProblem(value: string): "controlChars" | "folder" | null {
  const prefix = trimmed(value.replace(LEADING, ""));
  if (prefix === "") return null;
  if (hasControl(prefix)) return "controlChars";
  const closed = `${prefix.replace(/\/$/, "")}/`;
  const segments = prefix.split("/");
  const bad =
    new TextEncoder().encode(closed).length > MAX_KEY_BYTES ||
    prefix.includes("\\") ||
    segments.some((s) => s === "." || s === "..") ||
    closed.slice(0, -1).split("/").some((s) => s === "");
  return bad ? "folder" : null;
}

/** The fields only an S3 connection has, checked only for one. */
function s3Fields(t: Translate, creating: boolean) {
  const key = creating ? requiredText(t, 256) : text(t, 256);
  return z
    .object({
      endpoint: trimmedString().refine(isEndpoint, t("validation.endpoint")),
      bucket: trimmedString().regex(/^[a-z0-9._-]{3,63}$/, t("validation.bucket")),
      region: text(t, 64),
      access_key_id: key,
      secret_access_key: key,
    })
    .superRefine((v, ctx) => {
      // Editing keeps the stored credentials unless both are replaced.
      if (creating || (v.access_key_id === "") === (v.secret_access_key === "")) return;
      const missing = v.access_key_id === "" ? "access_key_id" : "secret_access_key";
      ctx.addIssue({ code: "custom", path: [missing], message: t("validation.credentialsPair") });
    });
}

/**
 * What the server takes for a storage connection (its limits:
 * storage/routes.rs), checked before sending so each mistake shows at its
 * field at once. A local folder has only a name and a root prefix; the S3
 * fields, hidden then, are not checked.
 */
export function storageSchema(t: Translate, { creating }: { creating: boolean }) {
  const s3 = s3Fields(t, creating);
  return z
    .object({
      kind: z.enum(["s3", "local"]),
      name: requiredText(t, 100),
      root_prefix: z.string().superRefine((v, ctx) => {
        const problem = rootPrefixProblem(v);
        if (problem) ctx.addIssue({ code: "custom", message: t(`validation.${problem}`) });
      }),
      path_style: z.boolean(),
      endpoint: trimmedString(),
      bucket: trimmedString(),
      region: trimmedString(),
      access_key_id: trimmedString(),
      secret_access_key: trimmedString(),
    })
    .superRefine((v, ctx) => {
      if (v.kind !== "s3") return;
      for (const issue of s3.safeParse(v).error?.issues ?? []) {
        ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
      }
    });
}
