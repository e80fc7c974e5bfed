import { vi } from "vitest";

/** What the server answers to one request. */
export type Answer = { status: number; body?: unknown };

/**
 * The browser's `fetch`, answered by a script of the server's answers in
 * order: each test states what the server says, the code under test is real.
 * Returns the requests as sent.
 */
export function scriptServer(answers: Array<(request: Request) => Answer>): Request[] {
  const seen: Request[] = [];
  vi.stubGlobal("fetch", async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(new URL(String(input), "http://localhost"), init);
    seen.push(request);
    const next = answers.shift();
    if (!next) throw new Error(`unexpected request ${request.method} ${request.url}`);
    const { status, body } = next(request);
    return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
  });
  return seen;
}
