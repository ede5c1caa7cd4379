// Shared helpers for the browser tests: launching Debian's Chromium the way
// this machine needs it, walking the app as a person does (forms, taps on
// the list, the back button; elements found by role and visible label), and
// a watch on every page for panics and uncaught errors.
import { chromium, devices } from 'playwright-core';

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

/** The device profiles a suite can run on (`export const profiles = [...]`). */
export const PROFILES = {
  desktop: { viewport: { width: 1280, height: 800 } },
  phone: devices['Pixel 7'],
};

/**
 * What went wrong in any page during the running test: WASM panics (the
 * panic hook logs "panicked at"), uncaught exceptions, unhandled
 * rejections and Content-Security-Policy violations. The runner fails a test that leaves anything here.
 */
export const problems = [];
/** Page errors a test provokes on purpose (regexes), cleared per test. */
export const expectedProblems = [];

/** Contexts opened during the running test (for screenshots on failure). */
export const openContexts = new Set();

/** Records panics and uncaught errors of every page in `context`. */
export function watchContext(context) {
  openContexts.add(context);
  context.on('close', () => openContexts.delete(context));
  const watchPage = (page) => {
    page.on('pageerror', (error) => record(page, `uncaught: ${error?.stack || error}`));
    page.on('console', (message) => {
      if (process.env.E2E_CONSOLE) console.log(`     [console ${page.url()}] ${message.text().split('\n')[0]}`);
      if (message.type() === 'error' && /panicked at|RuntimeError|Content Security Policy|csp-violation/.test(message.text())) {
        record(page, `console: ${message.text()}`);
      }
    });
  };
  // Chromium logs most violations itself; the event also catches the rest.
  context.addInitScript(() => {
    addEventListener('securitypolicyviolation', (e) => {
      console.error(`csp-violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  for (const page of context.pages()) watchPage(page);
  context.on('page', watchPage);
  // Longer stacks in the panic messages, when debugging a failure.
  if (process.env.E2E_STACK_LINES) context.addInitScript(() => { Error.stackTraceLimit = 200; });
  return context;
}

function record(page, what) {
  if (expectedProblems.some((re) => re.test(what))) return;
  let url = '';
  try {
    url = page.url();
  } catch {}
  problems.push(`${url}: ${what.split('\n').slice(0, +(process.env.E2E_STACK_LINES || 6)).join('\n')}`);
}

/**
 * The browser as one profile sees it: every context gets the profile's
 * viewport, touch and user agent, and is watched for panics.
 */
export function profiledBrowser(browser, profile) {
  const options = PROFILES[profile];
  return {
    profile,
    isPhone: profile === 'phone',
    newContext: async (extra = {}) => watchContext(await browser.newContext({ ...options, ...extra })),
    close: () => browser.close(),
  };
}

/**
 * A non-incognito context (its own Chromium with a profile directory):
 * Chromium offers installation (`beforeinstallprompt`) only there.
 */
export async function persistentContext() {
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(`${tmpdir()}/tidings-profile-`);
  return watchContext(await chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  }));
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

const PASSWORD = 'correct horse';

/** Signs up through the form and waits for the signed-in home page. */
export async function signUpInUi(page, base, username, password = PASSWORD) {
  await page.goto(`${base}/signup`);
  await hydrated(page);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await signedInAs(page, username);
}

/** Signs in through the form (the page must show it) and waits for the app. */
export async function signInInUi(page, username, password = PASSWORD) {
  await hydrated(page);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await signedInAs(page, username);
}

/** Opens the sign-in page as a first page and signs in through the form. */
export async function signIn(page, base, username, password = PASSWORD) {
  await page.goto(`${base}/signin`);
  await signInInUi(page, username, password);
}

async function signedInAs(page, username) {
  await page.waitForSelector(`[data-testid=username]:text-is("${username}")`, { state: 'attached', timeout: 10_000 });
  await hydrated(page);
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

/** The conversation list, as a screen reader finds it. */
export const conversationList = (page) => page.getByRole('navigation', { name: 'Conversations' });

/** The list's link to the conversation named `name` (a person or a group). */
export const conversationLink = (page, name) =>
  conversationList(page).getByRole('link', { name: new RegExp(`\\b${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`) });

/**
 * Starts a conversation from "New" in the list, as a person does; returns
 * its id. `withNames` is one username or several, comma-separated.
 */
export async function startConversation(page, withNames, title) {
  const before = page.url();
  const back = page.getByRole('link', { name: 'Back to conversations' });
  // On a phone a conversation fills the screen: back to the list first.
  if (await back.isVisible()) {
    await tap(back);
    await page.waitForURL((url) => url.pathname === '/');
  }
  await tap(page.getByRole('button', { name: 'New', exact: true }));
  const dialog = page.getByRole('dialog', { name: 'New conversation' });
  await dialog.getByLabel('People').fill(withNames);
  if (title) await dialog.getByLabel('Group name (optional)').fill(title);
  await tap(dialog.getByRole('button', { name: 'Start' }));
  await page.waitForURL((url) => /^\/c\/\d+$/.test(url.pathname) && url.href !== before);
  await composer(page).waitFor();
  return Number(new URL(page.url()).pathname.split('/').pop());
}

const touchPages = new WeakMap();

/**
 * Presses as the person's device does: a tap (touch events, then the
 * click the browser makes of them) on a touch screen, a click elsewhere.
 */
export async function tap(locator) {
  const page = locator.page();
  if (!touchPages.has(page)) touchPages.set(page, await page.evaluate(() => navigator.maxTouchPoints > 0));
  await (touchPages.get(page) ? locator.tap() : locator.click());
}

/** Taps the conversation in the list and waits for it to open; returns its id. */
export async function openConversation(page, name) {
  const before = page.url();
  await tap(conversationLink(page, name));
  await page.waitForURL(/\/c\/\d+$/, { timeout: 10_000 }).catch((err) => {
    throw new Error(`tapping ${name} in the list left the address at ${page.url()} (was ${before}): ${err.message}`);
  });
  await composer(page).waitFor();
  return Number(new URL(page.url()).pathname.split('/').pop());
}

/**
 * Back to the list: the browser's back button, as on a phone. On a wide
 * screen the list stays beside the conversation either way.
 */
export async function backToList(page) {
  await page.goBack();
  await page.waitForURL((url) => url.pathname === '/');
  await conversationList(page).waitFor();
}

/** Opens Settings from the app bar (on a phone, from its menu). */
export async function openSettings(page) {
  const link = page.getByRole('link', { name: 'Settings' });
  if (!(await link.isVisible())) await tap(page.getByRole('button', { name: 'Menu' }));
  await tap(link);
  await page.waitForURL((url) => url.pathname === '/settings');
  await page.getByRole('heading', { name: 'Settings', exact: true }).waitFor();
}

/** The bell in the app bar; its name is "Notifications" and the unread count. */
export const bell = (page) => page.getByRole('button', { name: /^Notifications/ });

/** From the bell's dropdown to the inbox screen ("See all"). */
export async function openInbox(page) {
  await tap(bell(page));
  await tap(page.getByRole('link', { name: 'See all' }));
  await page.waitForURL((url) => url.pathname === '/notifications');
  await page.getByRole('heading', { name: 'Notifications', exact: true }).waitFor();
}

/** Signs out from the app bar (on a phone, from its menu). */
export async function signOut(page) {
  const button = page.getByRole('button', { name: 'Sign out' });
  if (!(await button.isVisible())) await tap(page.getByRole('button', { name: 'Menu' }));
  await tap(button);
}

/** The open conversation's messages. */
export const messageList = (page) => page.getByRole('list', { name: 'Messages' });

/** A message with exactly this text in the open conversation. */
export const message = (page, text) => messageList(page).getByText(text, { exact: true });

/** The message box. */
export const composer = (page) => page.getByRole('textbox', { name: 'Write a message' });

/**
 * Posts `count` messages "<prefix> 1" … "<prefix> count" to the conversation
 * open in `page`, over the API with the page's session (a long chat, fast),
 * waiting out the send limit as it says.
 */
export async function postMany(page, prefix, count) {
  await page.evaluate(async ({ prefix, count }) => {
    const id = Number(location.pathname.split('/').pop());
    for (let i = 1; i <= count; i++) {
      const r = await fetch(`/api/v1/conversations/${id}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ client_id: crypto.randomUUID(), body: `${prefix} ${i}` }),
      });
      if (r.status === 429) { await new Promise((done) => setTimeout(done, 1100)); i--; continue; }
      if (!r.ok) throw new Error(`${prefix} ${i}: ${r.status} ${await r.text()}`);
    }
  }, { prefix, count });
}

/** Types and sends a message with Enter. */
export async function say(page, text) {
  await composer(page).fill(text);
  await composer(page).press('Enter');
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

/** Brings a tab `hideTab` hid back to the foreground. */
export async function showTab(page) {
  await page.evaluate(() => {
    delete document.visibilityState;
    delete document.hidden;
    document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
  });
}
