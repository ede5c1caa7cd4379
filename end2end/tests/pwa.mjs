// The installable app in headless Chromium: manifest and service worker,
// the offline outbox, push end to end, notification clicks, the install
// prompt and the notification opt-in.
import assert from 'node:assert/strict';
import {
  bodies, eventually, hideTab, hydrated, persistentContext, say, serviceWorkerReady, signUpInUi, startConversation,
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

/** Runs the worker's push handler with `payload`, as the browser's push service would. */
function deliverPush(cdp, origin, registrationId, payload) {
  const data = JSON.stringify(payload);
  return within(10_000, 'ServiceWorker.deliverPushMessage', cdp.send('ServiceWorker.deliverPushMessage', { origin, registrationId, data }));
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

  async 'a push reaches the service worker and shows the right notification; clicking opens the conversation; mark as read, badge, resubscribe'({ browser, base }) {
    const push = await startPushService();
    const subscription = push.device('alice-phone');
    const aliceContext = await browser.newContext();
    await aliceContext.grantPermissions(['notifications'], { origin: base });
    await stubPushManager(aliceContext, subscription);
    step('sign up alice and bob');
    const { alice, bob } = await twoPeople(browser, base, {});
    // Alice signs in on the "phone" context, which subscribes at start-up.
    step('alice signs in on her phone');
    const phone = await aliceContext.newPage();
    await phone.goto(`${base}/signin`);
    await hydrated(phone);
    await phone.fill('input[name=username]', alice.name);
    await phone.fill('input[name=password]', 'correct horse');
    await phone.click('[data-testid=signin-form] button[type=submit]');
    await phone.waitForSelector(`[data-testid=username]:text-is("${alice.name}")`);
    step('the phone subscribes');
    await phone.goto(`${base}/settings`);
    await hydrated(phone);
    await phone.waitForSelector('[data-testid=push-opt-in][data-state=granted]');
    await eventually(
      () => phone.evaluate(async () => (await (await fetch('/api/v1/push/subscriptions')).json()).length === 1),
      'subscription registered',
    );
    step('the phone\'s service worker takes control');
    await serviceWorkerReady(phone);
    step('find the worker\'s registration over CDP');
    const cdp = await aliceContext.newCDPSession(phone);
    const registrations = [];
    cdp.on('ServiceWorker.workerRegistrationUpdated', (e) => registrations.push(...e.registrations));
    await within(10_000, 'ServiceWorker.enable', cdp.send('ServiceWorker.enable'));
    await eventually(() => registrations.find((r) => !r.isDeleted), 'registration id');
    const registrationId = registrations.find((r) => !r.isDeleted).registrationId;

    // Alice's laptop tab is closed and her phone is locked: Bob writes.
    step('bob writes while alice is away');
    await alice.page.close();
    await hideTab(phone);
    await phone.waitForTimeout(200);
    const id = await startConversation(bob.page, alice.name);
    await say(bob.page, 'Dinner at 8?');
    step('the push service receives the push');
    const [received] = await push.waitFor('alice-phone', 1);
    assert.equal(received.payload.title, bob.name);
    assert.equal(received.payload.body, 'Dinner at 8?');
    assert.equal(received.payload.url, `/c/${id}`);
    assert.equal(received.payload.tag, `conversation-${id}`);
    assert.equal(received.headers.urgency, 'high');

    step('deliver the push to the worker');
    await deliverPush(cdp, base, registrationId, received.payload);
    const notifications = await eventually(async () => {
      const list = await phone.evaluate(async () =>
        (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => ({ title: n.title, tag: n.tag, body: n.body, data: n.data })),
      );
      return list.length ? list : null;
    }, 'a notification');
    assert.equal(notifications[0].title, bob.name);
    assert.equal(notifications[0].tag, `conversation-${id}`);
    assert.equal(notifications[0].body, 'Dinner at 8?');

    // Clicking it focuses the open window and takes it to the conversation.
    step('click the notification with the phone\'s window open');
    await phone.bringToFront();
    const [worker] = aliceContext.serviceWorkers();
    assert.ok(worker, 'service worker visible to the test');
    await within(10_000, 'notificationclick in the worker', worker.evaluate(async () => {
      const [notification] = await self.registration.getNotifications();
      self.dispatchEvent(new NotificationEvent('notificationclick', { notification }));
    }));
    await phone.waitForURL(`${base}/c/${id}`);
    await phone.waitForSelector('.message .body:text-is("Dinner at 8?")');

    // A push for the conversation already on screen informs the page instead
    // of notifying.
    step('a push for the conversation on screen');
    await within(10_000, 'closing notifications', phone.evaluate(async () => {
      for (const n of await (await navigator.serviceWorker.ready).getNotifications()) n.close();
    }));
    await deliverPush(cdp, base, registrationId, received.payload);
    await phone.waitForTimeout(500);
    assert.equal(
      await within(10_000, 'counting notifications', phone.evaluate(async () => (await (await navigator.serviceWorker.ready).getNotifications()).length)),
      0,
      'no notification for the conversation being read',
    );

    // With no window open, a click opens one on the conversation.
    step('a push with no window open');
    const keeper = await aliceContext.newPage(); // keeps the CDP session's worker reachable
    await keeper.goto(`${base}/settings`);
    await phone.close();
    const cdp2 = await aliceContext.newCDPSession(keeper);
    await within(10_000, 'ServiceWorker.enable', cdp2.send('ServiceWorker.enable'));
    await deliverPush(cdp2, base, registrationId, received.payload);
    await eventually(() => keeper.evaluate(async () => (await (await navigator.serviceWorker.ready).getNotifications()).length > 0), 'notification');
    await keeper.close();
    // A synthetic click carries no user gesture, so Chromium refuses the
    // real openWindow(); record what the worker asks for instead.
    step('click the notification with no window open');
    const opened = await within(10_000, 'notificationclick with no window', worker.evaluate(async () => {
      let asked = null;
      self.clients.openWindow = async (url) => { asked = url; return null; };
      const [notification] = await self.registration.getNotifications();
      self.dispatchEvent(new NotificationEvent('notificationclick', { notification }));
      for (let i = 0; i < 50 && !asked; i++) await new Promise((r) => setTimeout(r, 20));
      return asked;
    }));
    assert.equal(opened, `${base}/c/${id}`);

    // Bob writes again while Alice's only tab is in the background. The push
    // sets the home-screen badge, and "Mark as read" reads the conversation
    // on the server without opening a window.
    step('a second message sets the app badge');
    const reader = await aliceContext.newPage(); // keeps the worker alive
    await reader.goto(`${base}/settings`);
    await hydrated(reader);
    await hideTab(reader);
    await reader.waitForTimeout(200);
    const unread = async () =>
      reader.evaluate(async (cid) => (await (await fetch('/api/v1/conversations')).json()).find((c) => c.id === cid).unread, id);
    await say(bob.page, 'Or at 9?');
    const second = (await push.waitFor('alice-phone', 2))[1];
    assert.equal(second.payload.body, 'Or at 9?');
    assert.equal(second.payload.unread, 1);
    assert.equal(await unread(), 1);
    await within(10_000, 'recording the app badge', worker.evaluate(() => {
      self.badges = [];
      WorkerNavigator.prototype.setAppBadge = async (count) => { self.badges.push(count); };
    }));
    const cdp3 = await aliceContext.newCDPSession(reader);
    await within(10_000, 'ServiceWorker.enable', cdp3.send('ServiceWorker.enable'));
    await deliverPush(cdp3, base, registrationId, second.payload);
    await eventually(() => worker.evaluate(async () => (await self.registration.getNotifications()).some((n) => n.body === 'Or at 9?')), 'second notification');
    assert.deepEqual(await worker.evaluate(() => self.badges), [1]);

    step('"Mark as read" from the notification');
    const markRead = await within(10_000, 'mark-read in the worker', worker.evaluate(async () => {
      self.opened = [];
      self.clients.openWindow = async (url) => { self.opened.push(url); return null; };
      const notification = (await self.registration.getNotifications()).find((n) => n.body === 'Or at 9?');
      self.dispatchEvent(new NotificationEvent('notificationclick', { notification, action: 'mark-read' }));
      return notification.actions.map((a) => a.action);
    }));
    assert.deepEqual(markRead, ['mark-read']);
    await eventually(async () => (await unread()) === 0, 'conversation read on the server');
    assert.deepEqual(await worker.evaluate(() => self.opened), [], 'no window opened');
    assert.equal(reader.url(), `${base}/settings`, 'no navigation');

    // The browser replaced the subscription (`pushsubscriptionchange`):
    // the worker registers the new one and drops the old one.
    step('pushsubscriptionchange');
    const devices = async () => reader.evaluate(async () => (await (await fetch('/api/v1/push/subscriptions')).json()).map((d) => d.id));
    const [oldDevice] = await devices();
    const renewed = push.device('alice-phone-renewed');
    await within(10_000, 'pushsubscriptionchange in the worker', worker.evaluate(async ([oldEndpoint, fresh]) => {
      const event = new ExtendableEvent('pushsubscriptionchange');
      Object.defineProperty(event, 'oldSubscription', { value: { endpoint: oldEndpoint, options: { userVisibleOnly: true } } });
      Object.defineProperty(event, 'newSubscription', { value: { toJSON: () => fresh } });
      self.dispatchEvent(event);
    }, [subscription.endpoint, renewed]));
    await eventually(
      async () => {
        const ids = await devices();
        return ids.length === 1 && ids[0] !== oldDevice;
      },
      'the new subscription replaces the old one on the server',
    );
    await say(bob.page, 'See you');
    const [third] = await push.waitFor('alice-phone-renewed', 1);
    assert.equal(third.payload.body, 'See you');
    assert.equal((await push.waitFor('alice-phone', 2)).length, 2, 'nothing more to the old endpoint');
    await aliceContext.close();
    await bob.context.close();
    await push.close();
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
