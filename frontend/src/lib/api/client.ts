import createClient from "openapi-fetch";

import type { paths } from "./schema";

/**
 * The typed API client; its types are generated from `openapi.yaml`. The API
 * is same-origin; the origin is spelled out because `Request` outside a
 * browser page (the unit tests) takes no relative URL, and `fetch` is looked
 * up per call, not once at start, so the unit tests can answer for the server.
 */
export const api = createClient<paths>({
  baseUrl: globalThis.location?.origin ?? "",
  fetch: (request) => globalThis.fetch(request),
});

const REFRESH_KEY = "delivery.refresh";

let accessToken: string | null = null;
let refreshing: Promise<boolean> | null = null;
let onSignedOut: (() => void) | null = null;

/** Tokens from sign-in, sign-up or refresh. */
export type Tokens = { access_token: string; refresh_token: string; expires_in: number };

/** Keeps the access token in memory and the refresh token for the next visit. */
export function storeTokens(tokens: Tokens | null) {
  accessToken = tokens?.access_token ?? null;
  if (tokens) {
    localStorage.setItem(REFRESH_KEY, tokens.refresh_token);
  } else {
    localStorage.removeItem(REFRESH_KEY);
  }
}

/** Sends `Authorization: Bearer <token>` with every request once signed in (tests set it directly). */
export function setAccessToken(token: string | null) {
  accessToken = token;
}

/** Called when the session ends and cannot be refreshed. */
export function whenSignedOut(callback: () => void) {
  onSignedOut = callback;
}

export function hasRefreshToken(): boolean {
  return localStorage.getItem(REFRESH_KEY) !== null;
}

/**
 * Trades the stored refresh token for new tokens. Refresh tokens are single
 * use, so concurrent callers share one attempt.
 */
export function refreshSession(): Promise<boolean> {
  refreshing ??= (async () => {
    const token = localStorage.getItem(REFRESH_KEY);
    if (!token) return false;
    const res = await fetch("/api/v1/auth/refresh", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ refresh_token: token }),
    }).catch(() => null);
    if (!res?.ok) {
      if (res && res.status < 500) storeTokens(null);
      return false;
    }
    storeTokens((await res.json()) as Tokens);
    return true;
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

// Copies of requests, so one that met an expired token can be sent again.
const retries = new WeakMap<Request, Request>();

api.use({
  onRequest({ request }) {
    if (accessToken) {
      request.headers.set("Authorization", `Bearer ${accessToken}`);
    }
    if (!request.url.includes("/api/v1/auth/")) {
      retries.set(request, request.clone());
    }
    return request;
  },
  async onResponse({ request, response }) {
    const copy = retries.get(request);
    if (response.status !== 401 || !copy) return response;
    // The access token expired while the seller worked: refresh once and
    // send the same request again, so no work is lost.
    if (await refreshSession()) {
      copy.headers.set("Authorization", `Bearer ${accessToken}`);
      return fetch(copy);
    }
    onSignedOut?.();
    return response;
  },
});
