// The installable app in headless Chromium: manifest and service worker,
// the install prompt and the notification opt-in. Writing offline is in
// offline.mjs, push end to end in push.mjs.
import assert from 'node:assert/strict';
import {
  eventually, expectedProblems, hydrated, openSettings, persistentContext, problems, serviceWorkerReady, signUpInUi,
  stubPushManager, uniqueName,
} from '../lib.mjs';
import { startPushService } from '../push-service.mjs';

/** The "Install Tidings" card, by its heading. */
const installPrompt = (page) => page.getByRole('complementary', { name: 'Install Tidings' });

export default {
  async 'a crashed app says so and offers a reload that brings it back'({ browser, base }) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signUpInUi(page, base, uniqueName('crash'));
    const banner = page.getByRole('alert').filter({ hasText: 'Something went wrong.' });
    assert.equal(await banner.isVisible(), false, 'no banner while all is well');
    // What a panic looks like from the page: with panic = "abort", the
    // WASM traps and the trap surfaces as an uncaught RuntimeError.
    expectedProblems.push(/RuntimeError: unreachable/);
    await page.evaluate(() => setTimeout(() => { throw new WebAssembly.RuntimeError('unreachable'); }));
    await banner.waitFor();
    await Promise.all([page.waitForEvent('load'), banner.getByRole('link', { name: 'Reload' }).click()]);
    await hydrated(page);
    assert.equal(await banner.isVisible(), false, 'a fresh page after the reload');
    await context.close();
  },

  async 'the browser tests notice a panic or an uncaught error in any page'({ browser, base }) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/welcome`);
    await hydrated(page);
    await page.evaluate(() => console.error('panicked at app/src/example.rs:1:1:\nan example'));
    await page.evaluate(() => setTimeout(() => { throw new Error('an uncaught example'); }));
    await eventually(async () => problems.length === 2, 'both recorded');
    assert.match(problems[0], /panicked at app\/src\/example\.rs/);
    assert.match(problems[1], /uncaught: Error: an uncaught example/);
    problems.length = 0; // provoked on purpose: this test passes
    await context.close();
  },

  async 'the manifest is valid and the service worker activates'({ browser, base }) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const response = await page.request.get(`${base}/manifest.webmanifest`);
    assert.equal(response.status(), 200);
    assert.match(response.headers()['content-type'], /^application\/manifest\+json/);
    const manifest = await response.json();
    for (const key of ['name', 'short_name', 'start_url', 'scope', 'theme_color', 'background_color']) {
      assert.ok(manifest[key], `manifest has ${key}`);
    }
    assert.equal(manifest.display, 'standalone');
    const sizes = manifest.icons.map((i) => `${i.sizes}:${i.purpose}`);
    assert.ok(sizes.includes('192x192:any') && sizes.includes('512x512:any') && sizes.includes('512x512:maskable'), sizes.join());
    for (const icon of manifest.icons) {
      const r = await page.request.get(`${base}${icon.src}`);
      assert.equal(r.status(), 200, icon.src);
    }
    assert.equal(manifest.shortcuts[0].name, 'New conversation');

    await page.goto(`${base}/signin`);
    assert.equal(await page.getAttribute('link[rel=manifest]', 'href'), '/manifest.webmanifest');
    assert.ok(await page.getAttribute('link[rel=apple-touch-icon]', 'href'));
    assert.equal(await serviceWorkerReady(page), 'activated');
    const sw = await page.request.get(`${base}/sw.js`);
    assert.equal(sw.headers()['cache-control'], 'no-cache');
    assert.doesNotMatch(await sw.text(), /__TIDINGS_BUILD__/, 'the worker is stamped with the build');
    await context.close();
  },

  async 'the install prompt is absent on the first visit, shown on the second, gone after dismissal'({ base }) {
    const context = await persistentContext();
    // A visit is a tab's session: page loads within one tab (the sign-up
    // form posts, then / loads; a reload) are one visit.
    const visit = async () => {
      for (const open of context.pages()) await open.close();
      const page = await context.newPage();
      await page.goto(`${base}/`);
      await hydrated(page);
      return page;
    };
    let page = context.pages()[0] || (await context.newPage());
    await signUpInUi(page, base, uniqueName('carol')); // visit 1: the sign-up page, then /
    await page.reload();
    await hydrated(page);
    await page.waitForTimeout(400);
    assert.equal(await installPrompt(page).count(), 0, 'never on the first visit');
    const visits = () => page.evaluate(() => localStorage.getItem('tidings.visits'));
    assert.equal(await visits(), '1', 'page loads within one tab are one visit');
    page = await visit(); // visit 2
    await installPrompt(page).waitFor();
    assert.equal(await visits(), '2');
    assert.equal(await installPrompt(page).getByRole('button', { name: 'Install', exact: true }).count(), 1, 'beforeinstallprompt was captured');
    await page.getByRole('button', { name: 'Not now' }).click();
    await installPrompt(page).waitFor({ state: 'detached' });
    page = await visit(); // visit 3: the dismissal is remembered
    await eventually(async () => (await visits()) === '3', 'the third visit counted');
    assert.equal(await installPrompt(page).count(), 0);
    await context.close();
  },

  async 'the notification opt-in shows the default, granted, denied and iOS states'({ browser, base }) {
    const push = await startPushService();
    // `reload`: the settings screen is then the page the app starts on.
    const open = async (setup, contextOptions = {}, { reload = false } = {}) => {
      const context = await browser.newContext(contextOptions);
      const page = await context.newPage();
      await setup(context, page);
      await signUpInUi(page, base, uniqueName('dana'));
      await openSettings(page);
      if (reload) await page.reload();
      await hydrated(page);
      return { context, page };
    };
    const state = (page) => page.getAttribute('[data-testid=push-opt-in]', 'data-state');

    const fresh = await open(async () => {});
    await eventually(async () => (await state(fresh.page)) === 'default', 'default state');
    assert.equal(await fresh.page.getByRole('button', { name: 'Enable', exact: true }).count(), 1);
    await fresh.context.close();

    const granted = await open(async (context) => {
      await context.grantPermissions(['notifications'], { origin: base });
      await stubPushManager(context, push.device('granted'));
    });
    await eventually(async () => (await state(granted.page)) === 'granted', 'granted state');
    await eventually(() => granted.page.getByRole('button', { name: 'Send test notification' }).isEnabled(), 'the test button enabled');
    await granted.page.getByRole('button', { name: 'Send test notification' }).click();
    const [test] = await push.waitFor('granted', 1);
    assert.equal(test.payload.tag, 'test');
    await granted.context.close();

    const denied = await open(async (context, page) => {
      const cdp = await context.newCDPSession(page);
      const { targetInfo } = await cdp.send('Target.getTargetInfo');
      await cdp.send('Browser.setPermission', {
        permission: { name: 'notifications' },
        setting: 'denied',
        origin: base,
        browserContextId: targetInfo.browserContextId,
      });
    });
    await eventually(async () => (await state(denied.page)) === 'denied', 'denied state');
    assert.match(await denied.page.textContent('[data-testid=push-denied]'), /blocked/);
    await denied.context.close();

    // Reloaded on the settings screen, whose own chunk arrives late, so the
    // browser already knows it is iOS when that screen hydrates: the text
    // must still follow.
    const iphone = await open(async (context) => {
      await context.route(/split___settings_route_view_.*\.wasm$/, async (route) => {
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        await route.continue();
      });
    }, {
      userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
      serviceWorkers: 'block',
    }, { reload: true });
    await eventually(async () => (await state(iphone.page)) === 'needsinstall', 'iOS state');
    assert.match(await iphone.page.textContent('[data-testid=push-opt-in]'), /Home Screen/);
    assert.doesNotMatch(await iphone.page.textContent('[data-testid=push-opt-in]'), /Checking/);
    await iphone.context.close();
    await push.close();
  },
};
