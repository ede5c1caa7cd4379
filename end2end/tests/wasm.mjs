// What a first page load fetches: the main WASM plus the chunks of the page
// it opens (`cargo leptos --split`). A visitor's first page must not pull
// the chat runtime or other screens; a signed-in page loads the runtime.
// Each run writes the measured sizes (gzip -9) to target/wasm-first-load.txt.
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { hydrated, signUpInUi, uniqueName } from '../lib.mjs';

const report = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'target', 'wasm-first-load.txt');

/** The WASM files a fresh page load of `url` requests, with their gzip sizes. */
async function wasmFetched(context, url) {
  const page = await context.newPage();
  const urls = new Set();
  page.on('request', (r) => {
    if (new URL(r.url()).pathname.endsWith('.wasm')) urls.add(r.url());
  });
  await page.goto(url);
  await hydrated(page);
  await page.waitForLoadState('networkidle');
  const landed = new URL(page.url()).pathname;
  await page.close();
  const files = [];
  for (const u of urls) {
    const bytes = Buffer.from(await (await fetch(u)).arrayBuffer());
    files.push({ name: new URL(u).pathname.split('/').pop(), raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length });
  }
  const gzip = files.reduce((sum, f) => sum + f.gzip, 0);
  const line = `${landed}: ${(gzip / 1024).toFixed(1)} KB gzip in ${files.length} files (${files
    .map((f) => `${f.name} ${(f.gzip / 1024).toFixed(1)}`)
    .join(', ')})`;
  console.log(`     ${line}`);
  mkdirSync(path.dirname(report), { recursive: true });
  appendFileSync(report, `${line}\n`);
  return { files, names: files.map((f) => f.name), gzip, landed };
}

export default {
  async 'a first visit fetches the core and its page, not the chat runtime'({ browser, base }) {
    writeFileSync(report, '');
    const context = await browser.newContext();
    const signin = await wasmFetched(context, `${base}/signin`);
    assert.ok(signin.names.includes('tidings.wasm'), `main module fetched: ${signin.names}`);
    assert.ok(signin.names.some((n) => n.includes('sign_in_route')), `sign-in chunk fetched: ${signin.names}`);
    for (const other of ['chat_runtime', 'settings_route', 'sign_up_route', 'conversation_route']) {
      assert.ok(!signin.names.some((n) => n.includes(other)), `${other} not fetched on /signin: ${signin.names}`);
    }
    // A signed-out visitor of / lands on the welcome page, without the chat screens.
    const welcome = await wasmFetched(context, `${base}/`);
    assert.equal(welcome.landed, '/welcome');
    assert.ok(welcome.names.some((n) => n.includes('welcome_route')), `welcome chunk fetched: ${welcome.names}`);
    for (const other of ['chat_runtime', 'home_route', 'conversation_route']) {
      assert.ok(!welcome.names.some((n) => n.includes(other)), `${other} not fetched when signed out: ${welcome.names}`);
    }
    // The page a new visitor lands on keeps the WASM budget in all it fetches.
    const budget = Number(process.env.TIDINGS_WASM_BUDGET_KB || 250) * 1024;
    assert.ok(welcome.gzip <= budget, `first load of /welcome: ${(welcome.gzip / 1024).toFixed(1)} KB gzip, over ${budget / 1024} KB`);
    await context.close();
  },

  async 'a signed-in page loads the chat runtime as a chunk'({ browser, base }) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signUpInUi(page, base, uniqueName('size'));
    await page.close();
    const home = await wasmFetched(context, `${base}/`);
    assert.ok(home.names.some((n) => n.includes('chat_runtime')), `chat runtime fetched: ${home.names}`);
    assert.ok(!home.names.some((n) => n.includes('settings_route')), `settings not fetched on /: ${home.names}`);
    await context.close();
  },
};
