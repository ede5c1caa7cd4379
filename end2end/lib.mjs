// Shared helpers for the browser tests: launching Debian's Chromium the way
// this machine needs it, and small assertions with readable failures.
import { chromium } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
}

/**
 * A non-incognito context (its own Chromium with a profile directory):
 * Chromium offers installation (`beforeinstallprompt`) only there.
 */
export async function persistentContext() {
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(`${tmpdir()}/tidings-profile-`);
  return chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
}

/** What the running test is doing; the runner prints it if the test times out. */
export const progress = { step: 'start' };

/** Names the step a test is on, so a timeout says where it stuck. */
export function step(what) {
  progress.step = what;
}

/**
 * Settles like `promise`, or fails after `ms`. For calls Playwright never
 * times out by itself: evaluate() in a page or worker, and CDP commands.
 */
export function within(ms, what, promise) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Polls `fn` until it returns a truthy value or `timeout` ms pass. A call
 * that hangs counts against the same deadline.
 */
export async function eventually(fn, what, timeout = 10_000) {
  const started = Date.now();
  let last;
  while (Date.now() - started < timeout) {
    try {
      last = await within(Math.max(timeout - (Date.now() - started), 1), what, fn());
      if (last) return last;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what} (last: ${last})`);
}

/** Resolves once the WASM bundle has hydrated the page. */
export async function hydrated(page) {
  await page.waitForFunction(() => document.documentElement.dataset.hydrated === 'true', null, { timeout: 15_000 });
}

/** Resolves once the chat screen's live connection is up. */
export async function live(page) {
  await page.waitForSelector('.chat-layout[data-connection=online]', { timeout: 15_000 });
}

let counter = 0;
/** A fresh, valid username per call. */
export function uniqueName(prefix) {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${counter}`.slice(0, 32);
}

/** Signs up through the UI and waits for the signed-in home page. */
export async function signUpInUi(page, base, username, password = 'correct horse') {
  await page.goto(`${base}/signup`);
  await hydrated(page);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await page.click('[data-testid=signup-form] button[type=submit]');
  await page.waitForSelector(`[data-testid=username]:text-is("${username}")`, { timeout: 10_000 });
}

/** Two signed-up people, each in their own browser context. */
export async function twoPeople(browser, base, options = {}) {
  const alice = { name: uniqueName('alice'), context: await browser.newContext(options.alice || {}) };
  const bob = { name: uniqueName('bob'), context: await browser.newContext(options.bob || {}) };
  alice.page = await alice.context.newPage();
  bob.page = await bob.context.newPage();
  await signUpInUi(alice.page, base, alice.name);
  await signUpInUi(bob.page, base, bob.name);
  return { alice, bob };
}

/** Starts a conversation from the UI; returns its id. */
export async function startConversation(page, withName) {
  await page.click('[data-testid=new-conversation]');
  await page.fill('input[name=usernames]', withName);
  await page.click('.dialog button[type=submit]');
  await page.waitForURL(/\/c\/\d+$/);
  await hydrated(page);
  return Number(new URL(page.url()).pathname.split('/').pop());
}

/** Types and sends a message with Enter. */
export async function say(page, text) {
  await page.fill('[data-testid=composer]', text);
  await page.press('[data-testid=composer]', 'Enter');
}

/** The message bodies shown, in order. */
export const bodies = (page) =>
  page.$$eval('[data-testid=messages] .message .body', (els) => els.map((e) => e.textContent));

/**
 * Headless Chromium has no push service, so `pushManager.subscribe()` never
 * settles: make it return `subscription` (pointing at the test push service).
 */
export async function stubPushManager(context, subscription) {
  await context.addInitScript((sub) => {
    if (!('PushManager' in self)) return;
    const fake = {
      endpoint: sub.endpoint,
      expirationTime: null,
      options: { userVisibleOnly: true },
      toJSON: () => ({ endpoint: sub.endpoint, expirationTime: null, keys: sub.keys }),
      unsubscribe: async () => true,
    };
    let subscribed = false;
    PushManager.prototype.subscribe = async function () { subscribed = true; return fake; };
    PushManager.prototype.getSubscription = async function () { return subscribed ? fake : null; };
  }, subscription);
}

/**
 * Waits until the page is controlled by the active service worker. A page
 * whose navigation was under way while the first worker activated can stay
 * uncontrolled despite `clients.claim()`; a reload brings it under the worker.
 */
export async function serviceWorkerReady(page, reloads = 1) {
  const state = await within(15_000, 'the service worker activating', page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    const worker = registration.active;
    if (worker.state !== 'activated') {
      await new Promise((resolve) => worker.addEventListener('statechange', () => worker.state === 'activated' && resolve()));
    }
    if (!navigator.serviceWorker.controller) {
      await Promise.race([
        new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true })),
        new Promise((resolve) => setTimeout(resolve, 3_000)),
      ]);
    }
    return navigator.serviceWorker.controller ? worker.state : 'uncontrolled';
  }));
  if (state === 'uncontrolled') {
    if (reloads === 0) throw new Error(`the service worker does not control ${page.url()}, even after a reload`);
    await page.reload();
    await hydrated(page);
    return serviceWorkerReady(page, reloads - 1);
  }
  return state;
}

/** Makes the app believe its tab went to the background (as on a locked phone). */
export async function hideTab(page) {
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
    document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
  });
}
