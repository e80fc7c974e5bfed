import { useState, type FormEvent } from "react";

import { api, setAccessToken } from "./lib/api/client";
import { describeProblem } from "./lib/api/problem";

type Me = { shop: string; email: string };

/**
 * The dashboard's first screen: sign in, then see which shop you are in.
 * The full dashboard grows from here.
 */
export function App() {
  const [me, setMe] = useState<Me | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function signIn(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    const login = await api.POST("/api/v1/auth/login", {
      body: { email: String(form.get("email")), password: String(form.get("password")) },
    });
    if (!login.data) {
      setBusy(false);
      setError(describeProblem(login.error));
      return;
    }
    setAccessToken(login.data.access_token);
    const current = await api.GET("/api/v1/me");
    setBusy(false);
    if (!current.data) {
      setError(describeProblem(current.error));
      return;
    }
    setMe({ shop: current.data.shop.name, email: current.data.user?.email ?? "" });
  }

  async function signOut() {
    await api.POST("/api/v1/auth/logout");
    setAccessToken(null);
    setMe(null);
  }

  if (me) {
    return (
      <main>
        <h1>{me.shop}</h1>
        <p>Signed in as {me.email}.</p>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </main>
    );
  }

  return (
    <main>
      <h1>Sign in</h1>
      <form onSubmit={signIn}>
        <label>
          Email <input name="email" type="email" autoComplete="username" required />
        </label>
        <label>
          Password <input name="password" type="password" autoComplete="current-password" required />
        </label>
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
      {error && <p role="alert">{error}</p>}
      <p>
        API documentation: <a href="/api/docs/">/api/docs</a>
      </p>
    </main>
  );
}
