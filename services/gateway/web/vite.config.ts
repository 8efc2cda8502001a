// The workspace is built into the gateway's package (web/dist), flat, so
// the gateway's /ui/{name} serves each file; no inline script or style is emitted (strict CSP).
import { defineConfig } from "vite";

export default defineConfig({
  base: "/ui/",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: "../src/lexstream/gateway/web/dist",
    emptyOutDir: true,
    assetsDir: "",
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: "es2022",
  },
});
