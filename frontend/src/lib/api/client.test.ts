import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { api, hasRefreshToken, refreshSession, storeTokens, whenSignedOut } from "./client";

// The browser's fetch, answered by a small script of the server's answers:
// each test states what the server says, the client's own logic is real.
type Answer = { status: number; body?: unknown };
let answers: Array<(req: Request) => Answer>;
let seen: Request[];

function json({ status, body }: Answer): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

beforeEach(() => {
  answers = [];
  seen = [];
  vi.stubGlobal("fetch", async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(new URL(String(input), "http://localhost"), init);
    seen.push(request);
    const next = answers.shift();
    if (!next) throw new Error(`unexpected request ${request.method} ${request.url}`);
    return json(next(request));
  });
  storeTokens({ access_token: "old-access", refresh_token: "refresh-1", expires_in: 900 });
});

afterEach(() => {
  vi.unstubAllGlobals();
  storeTokens(null);
});

const TOKENS = { access_token: "new-access", refresh_token: "refresh-2", expires_in: 900 };

describe("refreshSession", () => {
  it("shares one refresh among concurrent callers (refresh tokens are single use)", async () => {
    answers.push(() => ({ status: 200, body: TOKENS }));
    const results = await Promise.all([refreshSession(), refreshSession(), refreshSession()]);
    expect(results).toEqual([true, true, true]);
    expect(seen).toHaveLength(1);
    expect(localStorage.getItem("delivery.refresh")).toBe("refresh-2");
  });

  it("forgets a refresh token the server refuses, but keeps it when the server is down", async () => {
    answers.push(() => ({ status: 503 }));
    expect(await refreshSession()).toBe(false);
    expect(hasRefreshToken()).toBe(true);
    answers.push(() => ({ status: 401, body: { code: "unauthorized" } }));
    expect(await refreshSession()).toBe(false);
    expect(hasRefreshToken()).toBe(false);
  });
});

describe("a request that meets an expired session", () => {
  it("is sent again, body and all, with the refreshed token", async () => {
    answers.push(
      () => ({ status: 401, body: { code: "unauthorized", detail: "expired" } }),
      () => ({ status: 200, body: TOKENS }),
      () => ({ status: 201, body: { id: "note" } }),
    );
    const answer = await api.POST("/api/v1/orders/{id}/history", { params: { path: { id: "o1" } }, body: { text: "Called the customer" } });
    expect(answer.response.status).toBe(201);
    const [first, refresh, again] = seen;
    expect(first!.headers.get("Authorization")).toBe("Bearer old-access");
    expect(refresh!.url).toContain("/api/v1/auth/refresh");
    expect(again!.headers.get("Authorization")).toBe("Bearer new-access");
    expect(await again!.json()).toEqual({ text: "Called the customer" });
  });

  it("signs the seller out when the session cannot be refreshed", async () => {
    const signedOut = vi.fn();
    whenSignedOut(signedOut);
    answers.push(
      () => ({ status: 401, body: { code: "unauthorized", detail: "expired" } }),
      () => ({ status: 401, body: { code: "unauthorized", detail: "revoked" } }),
    );
    const answer = await api.GET("/api/v1/orders");
    expect(answer.response.status).toBe(401);
    expect(signedOut).toHaveBeenCalledOnce();
    expect(seen).toHaveLength(2);
  });
});
