// Drives Debian chromium (headless) for Earshot's listener benchmark; prints one JSON line.
// Usage: node run.mjs '<json: {base, url, mode: "join"|"play", runs|tokens, hold_ms}>'
import { chromium } from "playwright-core";

const cfg = JSON.parse(process.argv[2]);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--autoplay-policy=no-user-gesture-required", "--no-sandbox"],
});
const page_url = (mode, tokens) =>
  `${cfg.base}/index.html?mode=${mode}&url=${encodeURIComponent(cfg.url)}&tokens=${encodeURIComponent(JSON.stringify(tokens))}`;
try {
  if (cfg.mode === "join") {
    const ms = [];
    for (const token of cfg.runs) {
      const page = await browser.newPage();
      await page.goto(page_url("join", [token]));
      const handle = await page.waitForFunction(() => window.__result, null, { timeout: 20000 });
      const result = await handle.jsonValue();
      if (result.error) throw new Error(result.error);
      ms.push(result.ms);
      await page.close();
    }
    console.log(JSON.stringify({ join_ms: ms }));
  } else {
    const page = await browser.newPage();
    await page.goto(page_url("play", cfg.tokens));
    // Joins are sequential with up to 3 tries each: wait as long as that may take.
    const timeout = 30000 + 20000 * cfg.tokens.length;
    const handle = await page.waitForFunction(() => window.__result, null, { timeout });
    const result = await handle.jsonValue();
    if (result.error) throw new Error(result.error);
    console.log(JSON.stringify({ ready: result.connected, failures: result.failures }));
    await new Promise((r) => setTimeout(r, cfg.hold_ms));
    console.log(JSON.stringify({ done: true }));
  }
} finally {
  await browser.close();
}
