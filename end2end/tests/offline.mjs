// Writing without a connection: the IndexedDB outbox, reloads and closed
// tabs, and the app shell served by the service worker. Every test reaches
// its conversation the way a person does: the sign-in form, then a tap on
// the list.
import assert from 'node:assert/strict';
import {
  backToList, bodies, composer, eventually, hydrated, live, message, openConversation, say, serviceWorkerReady, signIn,
  startConversation, step, twoPeople, within,
} from '../lib.mjs';

export const profiles = ['desktop', 'phone'];

/** The server's view of a conversation, through the REST API of `page`'s session. */
export async function serverBodies(page, id) {
  return page.evaluate(async (id) => {
    const r = await fetch(`/api/v1/conversations/${id}/messages?limit=200`);
    return (await r.json()).map((m) => m.body);
  }, id);
}

/** Goes offline and waits until the app has noticed (socket closed, banner up). */
export async function goOffline(person) {
  await person.context.setOffline(true);
  await person.page.getByText('You are offline. Messages you write are kept').waitFor();
}

const pending = (page) => page.locator('.message.own[data-status=pending]');
const sent = (page) => page.locator('.message.own[data-status=sent]');

/**
 * Alice and Bob have a conversation Bob started; Alice then signs in on a
 * device of her own (`alice.device`) through the form, on the list, with
 * the service worker in control.
 */
async function aliceOnHerDevice(browser, base) {
  const { alice, bob } = await twoPeople(browser, base);
  step('bob starts the conversation');
  const id = await startConversation(bob.page, alice.name);
  await say(bob.page, 'Are you coming?');
  await sent(bob.page).waitFor();
  step('alice signs in on her device');
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, base, alice.name);
  await serviceWorkerReady(page);
  await alice.context.close();
  return { alice: { ...alice, context, page }, bob, id };
}

export default {
  async 'a reply written offline after tapping into the conversation survives a reload and arrives once'({ browser, base }) {
    const { alice, bob, id } = await aliceOnHerDevice(browser, base);
    step('tap the conversation in the list');
    assert.equal(await openConversation(alice.page, bob.name), id);
    await message(alice.page, 'Are you coming?').waitFor();
    await live(alice.page);

    step('write offline');
    await goOffline(alice);
    await say(alice.page, 'On my way');
    await eventually(async () => (await pending(alice.page).count()) === 1, 'shown as pending');

    step('reload while offline');
    await alice.page.reload();
    await hydrated(alice.page);
    await eventually(async () => (await pending(alice.page).count()) === 1, 'still pending after the reload');
    assert.deepEqual(await bodies(alice.page), ['Are you coming?', 'On my way']);

    step('back online');
    await alice.context.setOffline(false);
    await eventually(async () => (await sent(alice.page).count()) === 1, 'sent once online');
    await message(bob.page, 'On my way').waitFor();
    assert.deepEqual(await bodies(bob.page), ['Are you coming?', 'On my way']);
    assert.deepEqual(await serverBodies(bob.page, id), ['Are you coming?', 'On my way'], 'stored exactly once');
    await alice.context.close();
    await bob.context.close();
  },

  async 'replies written offline wait through a closed tab and arrive once each, in order'({ browser, base }) {
    const { alice, bob, id } = await aliceOnHerDevice(browser, base);
    await openConversation(alice.page, bob.name);
    await live(alice.page);
    await goOffline(alice);
    for (const text of ['one', 'two', 'three']) await say(alice.page, text);
    await eventually(async () => (await pending(alice.page).count()) === 3, '3 pending');

    step('close the app and open it again, still offline');
    await alice.page.close();
    alice.page = await alice.context.newPage();
    await alice.page.goto(`${base}/`);
    await hydrated(alice.page);
    await openConversation(alice.page, bob.name);
    await eventually(async () => (await pending(alice.page).count()) === 3, '3 pending after reopening');
    assert.deepEqual(await bodies(alice.page), ['Are you coming?', 'one', 'two', 'three']);

    await alice.context.setOffline(false);
    await eventually(async () => (await sent(alice.page).count()) === 3, 'all sent');
    await eventually(async () => (await bodies(bob.page)).length === 4, 'bob sees them');
    assert.deepEqual(await bodies(bob.page), ['Are you coming?', 'one', 'two', 'three']);
    assert.deepEqual(await serverBodies(bob.page, id), ['Are you coming?', 'one', 'two', 'three'], 'stored exactly once each');
    await alice.context.close();
    await bob.context.close();
  },

  async 'a drain cut off by a reload still delivers each message exactly once'({ browser, base }) {
    const { alice, bob, id } = await aliceOnHerDevice(browser, base);
    await openConversation(alice.page, bob.name);
    await live(alice.page);
    await goOffline(alice);
    const texts = ['a', 'b', 'c', 'd', 'e'];
    for (const text of texts) await say(alice.page, text);
    await eventually(async () => (await pending(alice.page).count()) === 5, '5 pending');
    // Back online, and reload while the drain is under way.
    await alice.context.setOffline(false);
    await alice.page.waitForTimeout(30);
    await alice.page.reload();
    await hydrated(alice.page);
    await eventually(async () => (await sent(alice.page).count()) === 5, 'all sent');
    // A second tab draining at the same time must not duplicate either.
    const second = await alice.context.newPage();
    await second.goto(`${base}/`);
    await hydrated(second);
    await openConversation(second, bob.name);
    await second.waitForTimeout(500);
    assert.deepEqual(await serverBodies(bob.page, id), ['Are you coming?', ...texts]);
    await alice.context.close();
    await bob.context.close();
  },

  async 'a message the server refuses for good shows as failed, with retry and delete'({ browser, base }) {
    const { alice, bob, id } = await aliceOnHerDevice(browser, base);
    await openConversation(alice.page, bob.name);
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
    await failed.getByRole('button', { name: 'Retry' }).click();
    await alice.page.waitForTimeout(500);
    assert.equal(await failed.count(), 1, 'still failed after a retry: the server refuses it again');
    step('delete it');
    await failed.getByRole('button', { name: 'Delete' }).click();
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

  async 'the app opens offline with cached conversations, and a conversation opens from the list'({ browser, base }) {
    const { alice, bob } = await aliceOnHerDevice(browser, base);
    await openConversation(alice.page, bob.name);
    await say(alice.page, 'cached for the subway');
    await sent(alice.page).waitFor();
    await backToList(alice.page);

    step('reopen the app offline');
    await alice.context.setOffline(true);
    await alice.page.reload();
    await hydrated(alice.page);
    await alice.page.getByText('You are offline. Messages you write are kept').waitFor();
    step('tap the conversation offline');
    await openConversation(alice.page, bob.name);
    await eventually(async () => (await bodies(alice.page)).includes('cached for the subway'), 'cached message offline');
    await composer(alice.page).waitFor();
    await alice.context.close();
    await bob.context.close();
  },
};
