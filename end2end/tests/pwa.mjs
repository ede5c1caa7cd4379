// The installable app in headless Chromium: manifest and service worker,
// the offline outbox, the install prompt and the notification opt-in. Push
// end to end is in push.mjs.
import assert from 'node:assert/strict';
import {
  bodies, eventually, hydrated, live, persistentContext, say, serviceWorkerReady, signUpInUi, startConversation,
  step, stubPushManager, twoPeople, uniqueName, within,
} from '../lib.mjs';
import { startPushService } from '../push-service.mjs';

/** The server's view of a conversation, through the REST API of `page`'s session. */
async function serverBodies(page, id) {
  return page.evaluate(async (id) => {
    const r = await fetch(`/api/v1/conversations/${id}/messages?limit=200`);
    return (await r.json()).map((m) => m.body);
  }, id);
}

/**
 * Alice and Bob with a conversation that Alice's service worker has seen
 * online (so it can serve the page offline).
 */
async function conversationCachedForAlice(browser, base) {
  const { alice, bob } = await twoPeople(browser, base);
  const id = await startConversation(alice.page, bob.name);
  await serviceWorkerReady(alice.page);
  await alice.page.reload();
  await hydrated(alice.page);
  return { alice, bob, id };
}

/** Goes offline and waits until the app has noticed (socket closed, banner up). */
async function goOffline(person) {
  await person.context.setOffline(true);
  await person.page.waitForSelector('[data-testid=offline-banner]');
}

export default {
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

  async 'offline messages wait as pending through a reload and arrive once each, in order'({ browser, base }) {
    const { alice, bob, id } = await conversationCachedForAlice(browser, base);
    await goOffline(alice);
    for (const text of ['one', 'two', 'three']) await say(alice.page, text);
    await eventually(async () => (await alice.page.locator('.message.own[data-status=pending]').count()) === 3, '3 pending');

    // Closing the app while offline loses nothing.
    await alice.page.reload();
    await hydrated(alice.page);
    await eventually(async () => (await alice.page.locator('.message.own[data-status=pending]').count()) === 3, '3 pending after reload');
    assert.deepEqual(await bodies(alice.page), ['one', 'two', 'three']);

    await alice.context.setOffline(false);
    await eventually(async () => (await alice.page.locator('.message.own[data-status=sent]').count()) === 3, 'all sent');
    await bob.page.goto(`${base}/c/${id}`);
    await hydrated(bob.page);
    await eventually(async () => (await bodies(bob.page)).length === 3, 'bob sees 3');
    assert.deepEqual(await bodies(bob.page), ['one', 'two', 'three']);
    assert.deepEqual(await serverBodies(bob.page, id), ['one', 'two', 'three'], 'stored exactly once each');
    await alice.context.close();
    await bob.context.close();
  },

  async 'a drain cut off by a reload still delivers each message exactly once'({ browser, base }) {
    const { alice, bob, id } = await conversationCachedForAlice(browser, base);
    await goOffline(alice);
    const texts = ['a', 'b', 'c', 'd', 'e'];
    for (const text of texts) await say(alice.page, text);
    await eventually(async () => (await alice.page.locator('.message.own[data-status=pending]').count()) === 5, '5 pending');
    // Back online, and reload while the drain is under way.
    await alice.context.setOffline(false);
    await alice.page.waitForTimeout(30);
    await alice.page.reload();
    await hydrated(alice.page);
    await eventually(async () => (await alice.page.locator('.message.own[data-status=sent]').count()) === 5, 'all sent');
    // A second tab draining at the same time must not duplicate either.
    const second = await alice.context.newPage();
    await second.goto(`${base}/c/${id}`);
    await hydrated(second);
    await second.waitForTimeout(500);
    assert.deepEqual(await serverBodies(bob.page, id), texts);
    await alice.context.close();
    await bob.context.close();
  },

  async 'a message the server refuses for good shows as failed, with retry and delete'({ browser, base }) {
    const { alice, bob } = await twoPeople(browser, base);
    const id = await startConversation(alice.page, bob.name);
    await live(alice.page);
    // An outbox entry the server will refuse (over the 4,000-character
    // limit, as an older version of the app might have queued it).
    step('queue a message the server refuses');
    const long = 'x'.repeat(4001);
    await within(10_000, 'writing the outbox', alice.page.evaluate(async ([conversationId, body]) => {
      const author = await (await fetch('/api/v1/me')).json();
      const db = await new Promise((resolve, reject) => {
        const open = indexedDB.open('tidings');
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      const entry = { client_id: crypto.randomUUID(), conversation_id: conversationId, author: { id: author.id, username: author.username }, body, created_at: Date.now(), failed: null };
      await new Promise((resolve, reject) => {
        const tx = db.transaction('outbox', 'readwrite');
        tx.objectStore('outbox').put(JSON.stringify(entry), entry.client_id);
        tx.oncomplete = resolve;
        tx.onerror = () => reject(tx.error);
      });
      db.close();
    }, [id, long]));
    await alice.page.reload();
    await hydrated(alice.page);
    step('shown as failed, with retry and delete');
    const failed = alice.page.locator('.message.own[data-status=failed]');
    await eventually(async () => (await failed.count()) === 1, 'the refused message shown as failed');
    await failed.locator('button:text-is("Retry")').click();
    await alice.page.waitForTimeout(500);
    assert.equal(await failed.count(), 1, 'still failed after a retry: the server refuses it again');
    step('delete it');
    await failed.locator('button:text-is("Delete")').click();
    await eventually(async () => (await failed.count()) === 0, 'gone after delete');
    // Gone from the outbox too: a reload does not bring it back.
    await alice.page.reload();
    await live(alice.page);
    await alice.page.waitForTimeout(500);
    assert.equal(await alice.page.locator('.message.own').count(), 0);
    assert.ok(!(await bodies(bob.page)).includes(long), 'bob never got it');
    await alice.context.close();
    await bob.context.close();
  },

  async 'the app shell opens offline with cached conversations and an offline banner'({ browser, base }) {
    const { alice, bob } = await twoPeople(browser, base);
    const id = await startConversation(alice.page, bob.name);
    await say(alice.page, 'cached for the subway');
    await alice.page.waitForSelector('.message.own[data-status=sent]');
    await serviceWorkerReady(alice.page);
    await alice.page.goto(`${base}/`);
    await hydrated(alice.page);
    await alice.page.waitForSelector(`[data-conversation="${id}"]`);

    await alice.context.setOffline(true);
    await alice.page.reload();
    await hydrated(alice.page);
    await alice.page.waitForSelector('[data-testid=offline-banner]');
    await alice.page.waitForSelector(`[data-conversation="${id}"]`);
    // Opening the conversation offline shows its cached messages.
    await alice.page.click(`[data-conversation="${id}"]`);
    await eventually(async () => (await bodies(alice.page)).includes('cached for the subway'), 'cached message offline');
    await alice.context.close();
    await bob.context.close();
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
    assert.equal(await page.locator('[data-testid=install-prompt]').count(), 0, 'never on the first visit');
    const visits = () => page.evaluate(() => localStorage.getItem('tidings.visits'));
    assert.equal(await visits(), '1', 'page loads within one tab are one visit');
    page = await visit(); // visit 2
    await page.waitForSelector('[data-testid=install-prompt]');
    assert.equal(await visits(), '2');
    assert.equal(await page.locator('[data-testid=install]').count(), 1, 'beforeinstallprompt was captured');
    await page.click('[data-testid=install-dismiss]');
    await page.waitForSelector('[data-testid=install-prompt]', { state: 'detached' });
    page = await visit(); // visit 3: the dismissal is remembered
    await eventually(async () => (await visits()) === '3', 'the third visit counted');
    assert.equal(await page.locator('[data-testid=install-prompt]').count(), 0);
    await context.close();
  },

  async 'the notification opt-in shows the default, granted, denied and iOS states'({ browser, base }) {
    const push = await startPushService();
    const open = async (setup, contextOptions = {}) => {
      const context = await browser.newContext(contextOptions);
      const page = await context.newPage();
      await setup(context, page);
      await signUpInUi(page, base, uniqueName('dana'));
      await page.goto(`${base}/settings`);
      await hydrated(page);
      return { context, page };
    };
    const state = (page) => page.getAttribute('[data-testid=push-opt-in]', 'data-state');

    const fresh = await open(async () => {});
    await eventually(async () => (await state(fresh.page)) === 'default', 'default state');
    assert.equal(await fresh.page.locator('[data-testid=enable-push]').count(), 1);
    await fresh.context.close();

    const granted = await open(async (context) => {
      await context.grantPermissions(['notifications'], { origin: base });
      await stubPushManager(context, push.device('granted'));
    });
    await eventually(async () => (await state(granted.page)) === 'granted', 'granted state');
    await granted.page.waitForSelector('[data-testid=test-push]:not([disabled])');
    await granted.page.click('[data-testid=test-push]');
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

    const iphone = await open(async () => {}, {
      userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
    });
    await eventually(async () => (await state(iphone.page)) === 'needsinstall', 'iOS state');
    assert.match(await iphone.page.textContent('[data-testid=push-needs-install]'), /Home Screen/);
    await iphone.context.close();
    await push.close();
  },
};
