import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { scriptServer, type Answer } from "../../test/server";
import { api, hasRefreshToken, refreshSession, storeTokens, whenSignedOut } from "./client";

let answers: Array<(req: Request) => Answer>;
let seen: Request[];

beforeEach(() => {
  answers = [];
  seen = scriptServer(answers);
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
