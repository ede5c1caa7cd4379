// Two people chatting live in two browser contexts, reaching their
// conversation the way people do: from the list, and back.
import assert from 'node:assert/strict';
import {
  backToList, bodies, composer, conversationLink, eventually, hydrated, live, message, openConversation, say,
  startConversation, step, twoPeople,
} from '../lib.mjs';

export const profiles = ['desktop', 'phone'];

export default {
  async 'alice and bob chat live, see typing, and history survives a reload'({ browser, base }) {
    const { alice, bob } = await twoPeople(browser, base);
    step('alice starts the conversation');
    await startConversation(alice.page, bob.name);
    await say(alice.page, 'Hello?');
    step('bob taps it in his list');
    await conversationLink(bob.page, alice.name).waitFor();
    await openConversation(bob.page, alice.name);
    await message(bob.page, 'Hello?').waitFor();
    // Typing notices are live-only: both sockets must be up to see one.
    await live(bob.page);
    await live(alice.page);

    step('typing shows on the other side');
    await composer(alice.page).fill('H');
    await composer(alice.page).pressSequentially('i');
    await bob.page.getByText(`${alice.name} is typing…`).waitFor();
    await composer(alice.page).press('Enter');
    await message(bob.page, 'Hi').waitFor();
    await eventually(async () => (await bob.page.getByTestId('typing').textContent()) === '', 'typing clears when the message lands');

    step('Shift+Enter makes a new line instead of sending');
    await composer(bob.page).fill('line one');
    await composer(bob.page).press('Shift+Enter');
    await composer(bob.page).pressSequentially('line two');
    await composer(bob.page).press('Enter');
    await eventually(async () => (await bodies(alice.page)).includes('line one\nline two'), 'multi-line message');

    step('bodies are text, never HTML');
    await say(alice.page, '<img src=x onerror="window.pwned=1">');
    await eventually(async () => (await bodies(bob.page)).includes('<img src=x onerror="window.pwned=1">'), 'html-like text');
    assert.equal(await bob.page.evaluate(() => window.pwned), undefined);
    assert.equal(await bob.page.locator('.messages img').count(), 0);

    // The page comes with its data: hydration reuses what the server
    // loaded instead of asking for it again. (The list is refreshed once the
    // socket connects, by design, to catch what changed in between.)
    step('reload');
    const refetched = [];
    const watch = (r) => {
      const p = new URL(r.url()).pathname;
      if (/^\/fn\/(auth\/me|chat\/(conversation|messages))$/.test(p)) refetched.push(p);
    };
    bob.page.on('request', watch);
    await bob.page.reload();
    await hydrated(bob.page);
    assert.deepEqual(await bodies(bob.page), ['Hello?', 'Hi', 'line one\nline two', '<img src=x onerror="window.pwned=1">']);
    await bob.page.waitForLoadState('networkidle');
    bob.page.off('request', watch);
    assert.deepEqual(refetched, [], 'server-rendered data is not fetched again');

    step('back to the list and into the conversation again');
    await backToList(bob.page);
    await openConversation(bob.page, alice.name);
    await say(bob.page, 'still here');
    await message(alice.page, 'still here').waitFor();
    await alice.context.close();
    await bob.context.close();
  },

  async 'the unread badge counts new messages until the conversation is opened'({ browser, base }) {
    const { alice, bob } = await twoPeople(browser, base);
    const id = await startConversation(alice.page, bob.name);
    await say(alice.page, 'first');
    const badge = bob.page.locator(`[data-conversation="${id}"] [data-testid=unread]`);
    await eventually(async () => (await badge.count()) === 1 && (await badge.textContent()) === '1', 'badge 1');
    await live(bob.page);
    await say(alice.page, 'second');
    await eventually(async () => (await badge.textContent()) === '2', 'badge 2 (live)');

    await openConversation(bob.page, alice.name);
    await message(bob.page, 'second').waitFor();
    await eventually(async () => (await badge.count()) === 0, 'badge gone after reading');
    // The server agrees: after a reload of the list the badge stays gone.
    await backToList(bob.page);
    await bob.page.reload();
    await hydrated(bob.page);
    await conversationLink(bob.page, alice.name).waitFor();
    assert.equal(await badge.count(), 0);
    await alice.context.close();
    await bob.context.close();
  },
};
