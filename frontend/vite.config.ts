import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// In development the API runs on `delivery serve` (port 8080); in production
// the same binary serves this build, so all API calls are same-origin.
export default defineConfig({
  plugins: [react()],
  build: {
    // Two entries: the seller dashboard (index.html) and the small customer portal (portal.html).
    rollupOptions: { input: { main: "index.html", portal: "portal.html" } },
  },
  server: {
    proxy: { "/api": "http://127.0.0.1:8080" },
  },
  test: {
    environment: "jsdom",
    setupFiles: ["src/test/setup.ts"],
  },
});
