#!/usr/bin/env node
// The web workspace's bundle budget: the JavaScript the browser loads, gzipped (level 9, as a
// server or CDN would send it), at most 200 KB. Run by `npm run build` (services/gateway/web)
// after Vite; exits 1 over budget. Usage: node bench/ui/bundle_size.mjs [dist folder]
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const BUDGET_KB = 200;
const here = dirname(fileURLToPath(import.meta.url));
const dist = resolve(process.argv[2] ?? join(here, "../../services/gateway/src/lexstream/gateway/web/dist"));

const rows = [];
for (const name of readdirSync(dist).sort()) {
  const path = join(dist, name);
  if (!statSync(path).isFile() || !/\.(js|css|html)$/.test(name)) continue;
  const bytes = readFileSync(path);
  rows.push({ name, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length });
}
const kb = (n) => (n / 1024).toFixed(1);
for (const row of rows) console.log(`bundle  ${row.name.padEnd(32)} ${kb(row.raw).padStart(8)} KB  gzip ${kb(row.gzip).padStart(7)} KB`);
const js = rows.filter((row) => row.name.endsWith(".js")).reduce((sum, row) => sum + row.gzip, 0);
const verdict = js <= BUDGET_KB * 1024 ? "within" : "OVER";
console.log(`bundle  JavaScript gzipped: ${kb(js)} KB (budget ${BUDGET_KB} KB: ${verdict})`);
if (!rows.some((row) => row.name.endsWith(".js"))) {
  console.error(`bundle  no JavaScript in ${dist}: build first (npm run build)`);
  process.exit(1);
}
process.exit(js <= BUDGET_KB * 1024 ? 0 : 1);
