// Push previews, as Bob sets them in Settings: the full text, the sender
// only, or nothing at all in the push (the service worker fetches the text
// from Tidings with the device's session, and says "New message" when it
// cannot). Real encrypted pushes to the test push service, delivered to the
// worker over CDP, then read back with getNotifications().
import assert from 'node:assert/strict';
import { eventually, hideTab, openSettings, say, signIn, startConversation, step, twoPeople } from '../lib.mjs';
import { startPushService } from '../push-service.mjs';
import { deliverPush, phoneWithPush } from './push.mjs';

export const profiles = ['desktop', 'phone'];

const LEVELS = {
  'The sender and the message': 'full',
  'The sender only': 'sender',
  'Nothing (the text never leaves this server)': 'private',
};

async function choosePreview(page, label) {
  await openSettings(page);
  await page.getByRole('radio', { name: label }).check();
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
  // "Saved." may still show from the last time: wait for the server.
  await eventually(
    () => page.evaluate(async (want) => (await (await fetch('/api/v1/me/preferences')).json()).push_preview === want, LEVELS[label]),
    `the server has "${label}"`,
  );
}

async function shown(page, tag) {
  return eventually(async () => {
    const list = await page.evaluate(async (tag) =>
      (await (await navigator.serviceWorker.ready).getNotifications({ tag })).map((n) => ({ title: n.title, body: n.body })), tag);
    return list.length ? list[0] : null;
  }, `a notification tagged ${tag}`, 20_000);
}

async function closeAll(page) {
  await page.evaluate(async () => {
    for (const n of await (await navigator.serviceWorker.ready).getNotifications()) n.close();
  });
}

export default {
  async 'each preview level shows what it allows, and a private push never carries the words'({ browser, base }) {
    const push = await startPushService();
    step('alice and bob; bob signs in on his phone with notifications on');
    const { alice, bob } = await twoPeople(browser, base, {});
    const { page: phone, context: phoneContext, cdp, registrationId } = await phoneWithPush(browser, base, push, bob.name, 'bob-phone');
    await bob.page.close();
    const id = await startConversation(alice.page, bob.name);
    const tag = `conversation-${id}`;

    const levels = [
      ['Nothing (the text never leaves this server)', 'the secret plan', (p) => {
        assert.equal(p.private, true);
        assert.ok(!JSON.stringify(p).includes('secret') && !JSON.stringify(p).includes(alice.name), JSON.stringify(p));
      }, { title: alice.name, body: 'the secret plan' }],
      ['The sender only', 'who wrote this', (p) => assert.equal(p.body, ''), { title: alice.name, body: '' }],
      ['The sender and the message', 'all of it', (p) => assert.equal(p.body, 'all of it'), { title: alice.name, body: 'all of it' }],
    ];
    let received = 0;
    for (const [label, text, checkPayload, expected] of levels) {
      step(`bob chooses "${label}"`);
      await choosePreview(phone, label);
      await hideTab(phone);
      await say(alice.page, text);
      const got = await push.waitFor('bob-phone', ++received);
      checkPayload(got[received - 1].payload);
      await deliverPush(cdp, base, registrationId, got[received - 1].payload);
      assert.deepEqual(await shown(phone, tag), expected);
      await closeAll(phone);
    }

    step('signed out, a private push says only "New message"');
    await choosePreview(phone, 'Nothing (the text never leaves this server)');
    await hideTab(phone);
    await say(alice.page, 'nobody may read this');
    const got = await push.waitFor('bob-phone', ++received);
    await phoneContext.clearCookies();
    await deliverPush(cdp, base, registrationId, got[received - 1].payload);
    assert.deepEqual(await shown(phone, tag), { title: 'Tidings', body: 'New message' });

    step('bob signs in again and turns on quiet hours, kept in his device\'s zone');
    await signIn(phone, base, bob.name);
    await openSettings(phone);
    await phone.getByRole('checkbox', { name: 'Hold notifications at night and send one summary after' }).check();
    await phone.getByLabel('From', { exact: true }).fill('22:30');
    await phone.getByLabel('To', { exact: true }).fill('06:45');
    await phone.getByRole('button', { name: 'Save' }).click();
    await phone.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    const saved = await phone.evaluate(async () => (await (await fetch('/api/v1/me/preferences')).json()).quiet_hours);
    const zone = await phone.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
    assert.deepEqual(saved, { start: '22:30', end: '06:45', timezone: zone });
    // Closed, or their pages stay open (and busy) through the later tests.
    await Promise.all([phoneContext.close(), alice.context.close(), bob.context.close()]);
    await push.close();
  },
};
