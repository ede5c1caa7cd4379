// What a first page load fetches: the main WASM plus the chunks of the page
// it opens (`cargo leptos --split`). A visitor's first page (welcome, sign
// in, sign up) must not pull the chat runtime or other screens, and keeps the
// budget. The service worker precaches every chunk on that first visit, so a
// signed-in page, which loads the chat screens and runtime, gets all its
// WASM from the worker's cache, not the network.
// Each run writes the measured sizes (gzip -9) to target/wasm-first-load.txt.
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { hydrated, serviceWorkerReady, signUpInUi, uniqueName } from '../lib.mjs';

const report = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'target', 'wasm-first-load.txt');

/** The WASM files a fresh page load of `url` requests, with their gzip sizes. */
async function wasmFetched(context, url) {
  const page = await context.newPage();
  const urls = new Set();
  const fromNetwork = new Set();
  page.on('response', (r) => {
    if (!new URL(r.url()).pathname.endsWith('.wasm')) return;
    urls.add(r.url());
    if (!r.fromServiceWorker()) fromNetwork.add(new URL(r.url()).pathname.split('/').pop());
  });
  await page.goto(url);
  await hydrated(page);
  await page.waitForLoadState('networkidle');
  const landed = new URL(page.url()).pathname;
  await page.close();
  const files = [];
  for (const u of urls) {
    const bytes = Buffer.from(await (await fetch(u)).arrayBuffer());
    files.push({ path: new URL(u).pathname, name: new URL(u).pathname.split('/').pop(), raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length });
  }
  const gzip = files.reduce((sum, f) => sum + f.gzip, 0);
  const cached = fromNetwork.size === 0 ? ', all answered by the service worker' : '';
  const line = `${landed}: ${(gzip / 1024).toFixed(1)} KB gzip in ${files.length} files${cached} (${files
    .map((f) => `${f.name} ${(f.gzip / 1024).toFixed(1)}`)
    .join(', ')})`;
  console.log(`     ${line}`);
  mkdirSync(path.dirname(report), { recursive: true });
  appendFileSync(report, `${line}\n`);
  return { files, names: files.map((f) => f.name), gzip, landed, fromNetwork: [...fromNetwork] };
}

export default {
  async 'a first visit fetches the core, not the chat screens or runtime, within budget'({ browser, base }) {
    writeFileSync(report, '');
    const context = await browser.newContext();
    // The signed-out pages are in the main module; the chat screens, the
    // settings and the live runtime are chunks a first visit never fetches.
    const signedIn = ['chat_runtime', 'home_route', 'conversation_route', 'settings_route'];
    const signin = await wasmFetched(context, `${base}/signin`);
    assert.ok(signin.names.includes('tidings.wasm'), `main module fetched: ${signin.names}`);
    // A signed-out visitor of / lands on the welcome page.
    const welcome = await wasmFetched(context, `${base}/`);
    assert.equal(welcome.landed, '/welcome');
    const signup = await wasmFetched(context, `${base}/signup`);
    // Whichever of these pages a new visitor lands on first keeps the WASM
    // budget in all it fetches.
    const budget = Number(process.env.TIDINGS_WASM_BUDGET_KB || 250) * 1024;
    for (const first of [welcome, signin, signup]) {
      for (const chunk of signedIn) {
        assert.ok(!first.names.some((n) => n.includes(chunk)), `${chunk} not fetched on ${first.landed}: ${first.names}`);
      }
      const kb = (first.gzip / 1024).toFixed(1);
      assert.ok(first.gzip <= budget, `first load of ${first.landed}: ${kb} KB gzip, over ${budget / 1024} KB`);
    }
    await context.close();
  },

  async 'a signed-in page loads the chat runtime, all from the service worker cache'({ browser, base }) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signUpInUi(page, base, uniqueName('size'));
    await serviceWorkerReady(page);
    // What the worker precached during that first visit, before `/` loads
    // again: the worker answers /pkg/ requests from this cache first.
    const precached = new Set(
      await page.evaluate(async () => {
        const names = (await caches.keys()).filter((n) => n.startsWith('tidings-shell-'));
        const cache = await caches.open(names[0]);
        return (await cache.keys()).map((r) => new URL(r.url).pathname);
      }),
    );
    await page.close();
    const home = await wasmFetched(context, `${base}/`);
    const missing = home.files.map((f) => f.path).filter((p) => !precached.has(p));
    assert.deepEqual(missing, [], 'every chunk the page loads was in the precache before it loaded');
    assert.ok(home.names.some((n) => n.includes('chat_runtime')), `chat runtime fetched: ${home.names}`);
    assert.ok(!home.names.some((n) => n.includes('settings_route')), `settings not fetched on /: ${home.names}`);
    assert.deepEqual(home.fromNetwork, [], 'the service worker answered every chunk');
    await context.close();
  },
};
