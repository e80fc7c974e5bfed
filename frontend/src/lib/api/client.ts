import createClient from "openapi-fetch";

import type { paths } from "./schema";

/** The typed API client; its types are generated from `openapi.yaml`. */
export const api = createClient<paths>({ baseUrl: "" });

/** Sends `Authorization: Bearer <token>` with every request once signed in. */
export function setAccessToken(token: string | null) {
  accessToken = token;
}

let accessToken: string | null = null;

api.use({
  onRequest({ request }) {
    if (accessToken) {
      request.headers.set("Authorization", `Bearer ${accessToken}`);
    }
    return request;
  },
});
