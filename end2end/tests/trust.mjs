// Trust in the browser: a person sees where they are signed in, ends
// another session from Settings, and changes the password. Every page of
// every suite runs under the Content-Security-Policy; a violation fails it.
import assert from 'node:assert/strict';
import {
  conversationList, eventually, hydrated, openSettings, say, serviceWorkerReady, signIn, signUpInUi,
  startConversation, twoPeople, uniqueName,
} from '../lib.mjs';
import { goOffline, serverBodies } from './offline.mjs';

export const profiles = ['desktop', 'phone'];

export default {
  async 'ending another session from Settings signs that device out'({ browser, base }) {
    const name = uniqueName('alice');
    const laptop = await browser.newContext();
    const laptopPage = await laptop.newPage();
    await signUpInUi(laptopPage, base, name);
    const phone = await browser.newContext();
    const phonePage = await phone.newPage();
    await signIn(phonePage, base, name);

    await openSettings(phonePage);
    const sessions = phonePage.getByRole('region', { name: 'Where you are signed in' });
    const rows = sessions.getByRole('listitem');
    await eventually(async () => (await rows.count()) === 2, 'both sessions listed');
    await sessions.getByText('This device').waitFor();
    await sessions.getByRole('button', { name: 'End session' }).click();
    await eventually(async () => (await rows.count()) === 1, 'the other session is gone from the list');

    // The laptop is signed out: its next page load asks to sign in.
    await laptopPage.reload();
    await laptopPage.waitForURL((url) => url.pathname === '/welcome' || url.pathname === '/signin');
    await laptop.close();

    // A new password; the old one no longer signs in.
    const password = phonePage.getByRole('region', { name: 'Password' });
    await password.getByLabel('Current password').fill('correct horse');
    await password.getByLabel('New password').fill('a much better horse');
    await password.getByRole('button', { name: 'Change password' }).click();
    await password.getByRole('status').waitFor();
    const other = await browser.newContext();
    const otherPage = await other.newPage();
    await otherPage.goto(`${base}/signin`);
    await hydrated(otherPage);
    await otherPage.getByLabel('Username').fill(name);
    await otherPage.getByLabel('Password', { exact: true }).fill('correct horse');
    await otherPage.getByRole('button', { name: 'Sign in' }).click();
    await otherPage.waitForSelector('.error[data-code=bad_credentials]');
    await signIn(otherPage, base, name, 'a much better horse');
    assert.equal(new URL(otherPage.url()).pathname, '/');
    await other.close();
    await phone.close();
  },

  async 'the next account on a shared browser never sees or sends the previous one\'s offline data'({ browser, base }) {
    const { alice, bob } = await twoPeople(browser, base);
    const id = await startConversation(alice.page, bob.name);
    await say(alice.page, 'A secret for Bob');
    await eventually(async () => (await serverBodies(alice.page, id)).includes('A secret for Bob'), 'sent');
    await serviceWorkerReady(alice.page);
    // Offline, Alice writes one more: it waits in this browser's outbox.
    await goOffline(alice);
    await say(alice.page, 'Written offline by Alice');
    await alice.page.locator('.message.own[data-status=pending]').waitFor();
    await alice.page.close();
    // Her session ends without a sign-out (it expired, or was ended from
    // another device); Carol signs in on the same browser.
    await alice.context.clearCookies();
    await alice.context.setOffline(false);
    const carolName = uniqueName('carol');
    const carolSignup = await browser.newContext();
    await signUpInUi(await carolSignup.newPage(), base, carolName);
    await carolSignup.close();
    const carol = await alice.context.newPage();
    await signIn(carol, base, carolName);
    await conversationList(carol).waitFor();
    // The worker has switched its kept pages to Carol's.
    const carolId = await carol.evaluate(async () => (await (await fetch('/api/v1/me')).json()).id);
    // Her start page is kept too: the key switches first, the page follows
    // (going offline in between leaves the offline page, as it should).
    await eventually(async () => (await carol.evaluate(async () => {
      const cache = await caches.open('tidings-pages');
      const kept = await cache.match('/__tidings/user');
      const home = await cache.match(new URL('/', location.origin).href, { ignoreVary: true });
      return kept && home ? kept.text() : null;
    })) === String(carolId), "the worker keeps Carol's pages now");
    // Offline, Carol's app shows her (empty) copy, not Alice's.
    await alice.context.setOffline(true);
    await carol.reload();
    await hydrated(carol);
    assert.ok(!(await carol.content()).includes('A secret for Bob'), "Alice's messages are not in Carol's app");
    assert.equal(await conversationList(carol).getByRole('link', { name: new RegExp(bob.name) }).count(), 0);
    await alice.context.setOffline(false);
    await carol.reload();
    await hydrated(carol);
    // Alice's offline message was not sent as Carol (nor as anyone).
    await bob.page.waitForTimeout(1500);
    assert.ok(!(await serverBodies(bob.page, id)).includes('Written offline by Alice'), 'nothing went out as Carol');
    await carol.close();

    // Alice signs in again on that browser: her message goes, as hers.
    const back = await alice.context.newPage();
    await signIn(back, base, alice.name);
    await eventually(async () => (await serverBodies(back, id)).includes('Written offline by Alice'), 'sent as Alice');
    await bob.context.close();
    await alice.context.close();
  },
};
