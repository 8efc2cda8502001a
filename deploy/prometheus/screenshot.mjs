// Screenshot of Prometheus's own graph page for one query (docs/dashboards.md):
//   node deploy/prometheus/screenshot.mjs [out.png] [query] [range]
// Uses the gateway web workspace's playwright-core and the system Chromium.
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const require = createRequire(path.join(root, "services/gateway/web/package.json"));
const { chromium } = require("playwright-core");

const out = process.argv[2] ?? path.join(root, "docs/img/prometheus-pipeline-throughput.png");
const query = process.argv[3] ?? "sum by (stage) (rate(lexstream_documents_processed_total[5m]))";
const range = process.argv[4] ?? "30m";
const base = process.env.LEXSTREAM_PROMETHEUS_URL ?? "http://127.0.0.1:9090";
const url = `${base}/classic/graph?g0.expr=${encodeURIComponent(query)}&g0.tab=0&g0.range_input=${range}`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 820 } });
  await page.goto(url, { waitUntil: "networkidle" });
  await page.waitForSelector(".graph_area svg, .graph svg, svg", { timeout: 30000 });
  await page.waitForTimeout(1500);
  await page.screenshot({ path: out, fullPage: false });
  console.log(`wrote ${out} from ${url}`);
} finally {
  await browser.close();
}
