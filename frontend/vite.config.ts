import { fileURLToPath, URL } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// The Flask API listens here in development (`make run`); the SPA is served by Flask in production.
const API = "http://127.0.0.1:5000";

export default defineConfig({
  base: "/",
  plugins: [react()],
  resolve: {
    alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) },
  },
  server: {
    proxy: {
      "/crm": { target: API, changeOrigin: false },
      "/healthz": { target: API },
      "/socket.io": { target: API, ws: true },
    },
  },
  build: {
    outDir: "dist",
    sourcemap: true,
  },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["./src/test/setup.ts"],
    css: false,
    // Mantine forms under jsdom take seconds on a busy 2-CPU machine (CI runs this after
    // pytest): a generous per-test limit keeps a slow run from reading as a broken one.
    testTimeout: 30_000,
    // Node's Request cannot resolve the same-origin base URL "" that the browser uses.
    env: { VITE_API_BASE_URL: "http://localhost:3000" },
  },
});
