import { defineConfig } from "vite";

// A static build (`dist/`, relative asset paths, so it can be served from any directory). The
// connex packages come from the workspace's built dist/ (`pnpm build` first), bundled for the
// browser like any app's dependencies: no polyfills, no Node built-ins.
export default defineConfig({
  base: "./",
  build: { target: "es2022", outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 4096 },
  server: { port: 5173 },
  preview: { port: 4173 },
});
