import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { useQueryClient } from "@tanstack/react-query";

import { api, hasRefreshToken, refreshSession, storeTokens, whenSignedOut } from "./api/client";
import { call } from "./api/call";
import type { components } from "./api/schema";

type Me = components["schemas"]["MeResponse"];

type Auth = {
  status: "loading" | "signed-out" | "signed-in";
  me: Me | null;
  signIn: (email: string, password: string) => Promise<void>;
  signUp: (shopName: string, email: string, password: string) => Promise<void>;
  signOut: () => Promise<void>;
};

const AuthContext = createContext<Auth | null>(null);

/** Holds the session: restores it from the refresh token on load and ends it everywhere on sign-out. */
export function AuthProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<Auth["status"]>(hasRefreshToken() ? "loading" : "signed-out");
  const [me, setMe] = useState<Me | null>(null);
  const queryClient = useQueryClient();

  const loadMe = useCallback(async () => {
    setMe(await call(api.GET("/api/v1/me")));
    setStatus("signed-in");
  }, []);

  const forget = useCallback(() => {
    storeTokens(null);
    setMe(null);
    setStatus("signed-out");
    queryClient.clear();
  }, [queryClient]);

  useEffect(() => {
    whenSignedOut(forget);
    if (hasRefreshToken()) {
      void refreshSession().then((ok) => (ok ? loadMe().catch(forget) : forget()));
    }
  }, [forget, loadMe]);

  const value = useMemo<Auth>(
    () => ({
      status,
      me,
      async signIn(email, password) {
        storeTokens(await call(api.POST("/api/v1/auth/login", { body: { email, password } })));
        await loadMe();
      },
      async signUp(shopName, email, password) {
        storeTokens(await call(api.POST("/api/v1/auth/signup", { body: { shop_name: shopName, email, password } })));
        await loadMe();
      },
      async signOut() {
        await api.POST("/api/v1/auth/logout").catch(() => undefined);
        forget();
      },
    }),
    [status, me, loadMe, forget],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error("useAuth outside AuthProvider");
  return auth;
}
