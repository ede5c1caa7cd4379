// Read on one device, gone from the others: Bob's phone shows Alice's
// message and an app's notification; he reads both on his laptop; the
// server sends the phone a dismissal push (real, encrypted, to the test
// push service), and its worker swaps each notification for a quiet "Read
// on another device" that closes itself. Also records what Chromium shows
// for a push that shows nothing (the "updated in the background" question).
import assert from 'node:assert/strict';
import {
  conversationLink, eventually, hideTab, openConversation, openInbox, say, startConversation, step, twoPeople,
} from '../lib.mjs';
import { startPushService } from '../push-service.mjs';
import { deliverPush, phoneWithPush } from './push.mjs';

async function showing(page, tag) {
  return page.evaluate(async (tag) =>
    (await (await navigator.serviceWorker.ready).getNotifications(tag ? { tag } : {})).map((n) => ({ title: n.title, body: n.body, tag: n.tag })), tag);
}

async function showsOnly(page, tag, want, what) {
  return eventually(async () => {
    const list = await showing(page, tag);
    if (list.length === 1 && list[0].body === want) return list;
    throw new Error(`showing ${JSON.stringify(list)}`);
  }, what, 15_000);
}

/**
 * Delivers `payload` over DevTools and waits until it shows `want`.
 * `ServiceWorker.deliverPushMessage` answers before the worker runs, and
 * on a loaded machine Chrome has dropped one silently (CI of 2d0519e: the
 * fourth of five pushes never reached the worker, which was then idle).
 * A push service retries what was not acknowledged; so does this, once,
 * and says so in the log.
 */
async function deliverAndShow(cdp, page, base, registrationId, payload, want, what) {
  await deliverPush(cdp, base, registrationId, payload);
  try {
    return await eventually(async () => {
      const list = await showing(page, payload.tag ?? payload.tags[0]);
      return list.length === 1 && list[0].body === want ? list : null;
    }, what, 8_000);
  } catch {
    console.log(`     ${what}: nothing after 8 s; delivering the push again`);
    await deliverPush(cdp, base, registrationId, payload);
    return showsOnly(page, payload.tag ?? payload.tags[0], want, what);
  }
}

/** The laptop tab comes back to the front. */
async function showTab(page) {
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => false });
    document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
  });
}

export default {
  async 'what is read on the laptop stops showing on the phone'({ browser, base }) {
    const push = await startPushService();
    step('alice and bob; bob also signs in on his phone, notifications on');
    const { alice, bob } = await twoPeople(browser, base, {});
    const { page: phone, context: phoneContext, cdp, registrationId } = await phoneWithPush(browser, base, push, bob.name, 'bob-phone');

    step('alice writes while bob is away from both: the phone shows it');
    const id = await startConversation(alice.page, bob.name);
    const tag = `conversation-${id}`;
    await hideTab(phone);
    await hideTab(bob.page);
    await say(alice.page, 'Dinner at 8?');
    const [message] = await push.waitFor('bob-phone', 1);
    assert.equal(message.payload.tag, tag);
    await deliverAndShow(cdp, phone, base, registrationId, message.payload, 'Dinner at 8?', "alice's message on the phone");

    step('bob reads it on his laptop: the phone gets a dismissal push');
    await showTab(bob.page);
    await conversationLink(bob.page, alice.name).waitFor();
    await openConversation(bob.page, alice.name);
    const [, dismissal] = await push.waitFor('bob-phone', 2);
    assert.equal(dismissal.payload.type, 'dismiss', JSON.stringify(dismissal.payload));
    assert.deepEqual(dismissal.payload.tags, [tag]);
    assert.equal(dismissal.payload.unread, 0);
    assert.ok(!JSON.stringify(dismissal.payload).includes('Dinner'), 'a dismissal carries no text');
    await deliverAndShow(cdp, phone, base, registrationId, dismissal.payload, 'Read on another device', 'the quiet replacement');
    await eventually(async () => (await showing(phone, tag)).length === 0, 'the replacement closes itself', 15_000);

    step('reading it again sends nothing more: the phone shows nothing for it');
    await say(alice.page, 'Or 9?');
    await eventually(async () => (await bob.page.getByText('Or 9?', { exact: true }).count()) > 0, 'bob sees it live');
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(push.received('bob-phone').length, 2, 'bob was looking: no push, and so no dismissal');

    step('an app notifies bob; his phone shows it; he reads it in the laptop inbox');
    const token = await bob.page.evaluate(async () => {
      const res = await fetch('/api/v1/auth/tokens', {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'feeder', scopes: ['notify'] }),
      });
      return (await res.json()).token;
    });
    await hideTab(bob.page);
    const res = await fetch(`${base}/api/v1/notifications`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ to: bob.name, title: 'Feeding due', body: 'Bottle at 14:00', tag: 'feed' }),
    });
    assert.equal(res.status, 201);
    const feedTag = `n-${(await res.json()).id}`;
    const [, , note] = await push.waitFor('bob-phone', 3);
    assert.equal(note.payload.tag, feedTag, 'the collapse key leaves as an id');
    await deliverAndShow(cdp, phone, base, registrationId, note.payload, 'Bottle at 14:00', 'the notification on the phone');
    await showTab(bob.page);
    await openInbox(bob.page);
    await bob.page.getByTestId('inbox').getByRole('listitem').filter({ hasText: 'Feeding due' })
      .getByRole('button', { name: 'Mark read' }).click();
    const [, , , second] = await push.waitFor('bob-phone', 4);
    assert.deepEqual([second.payload.type, second.payload.tags], ['dismiss', [feedTag]]);
    await deliverAndShow(cdp, phone, base, registrationId, second.payload, 'Read on another device', 'the notification replaced');
    await eventually(async () => (await showing(phone, feedTag)).length === 0, 'and closed', 15_000);

    step('measured: a push that shows nothing, delivered over DevTools');
    await deliverPush(cdp, base, registrationId, { type: 'dismiss', tags: ['nothing-showing'], unread: 0 });
    await new Promise((r) => setTimeout(r, 2000));
    const after = await showing(phone);
    console.log(`     a push that showed nothing left ${after.length} notification(s): ${JSON.stringify(after)}`);
    assert.deepEqual(after, [], 'no generic notification over DevTools (Chrome enforces its budget only for pushes from a push service)');

    await Promise.all([phoneContext.close(), alice.context.close(), bob.context.close()]);
    await push.close();
  },
};
