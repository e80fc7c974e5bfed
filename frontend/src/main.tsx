import "@mantine/core/styles.css";
import "@mantine/dates/styles.css";
import "@mantine/notifications/styles.css";

import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import {
  DEFAULT_THEME,
  MantineProvider,
  createTheme,
  defaultCssVariablesResolver,
  type CSSVariablesResolver,
  type MantineColorsTuple,
} from "@mantine/core";
import { Notifications } from "@mantine/notifications";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { RouterProvider } from "react-router";

import "./lib/i18n";
import { AuthProvider } from "./lib/auth";
import { router } from "./routes";

// Shade 9 (teal a little darker than Mantine's) and a darker "dimmed" keep
// every text at 4.5:1 contrast or more, also on light backgrounds (WCAG AA).
const teal = [...DEFAULT_THEME.colors.teal.slice(0, 8), "#087f5b", "#05614a"] as unknown as MantineColorsTuple;
const theme = createTheme({
  colors: { teal },
  primaryColor: "teal",
  primaryShade: { light: 9, dark: 7 },
  defaultRadius: "md",
});
const cssVariables: CSSVariablesResolver = (t) => {
  const base = defaultCssVariablesResolver(t);
  return { ...base, light: { ...base.light, "--mantine-color-dimmed": "var(--mantine-color-gray-7)" } };
};

const queryClient = new QueryClient({
  defaultOptions: {
    // A problem with a 4xx status will not change by asking again.
    queries: { retry: (count, error) => count < 2 && !((error as { status?: number }).status! >= 400), staleTime: 10_000 },
  },
});

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <MantineProvider theme={theme} cssVariablesResolver={cssVariables}>
        <Notifications position="top-right" />
        <QueryClientProvider client={queryClient}>
          <AuthProvider>
            <RouterProvider router={router} />
          </AuthProvider>
        </QueryClientProvider>
      </MantineProvider>
    </StrictMode>,
  );
}
