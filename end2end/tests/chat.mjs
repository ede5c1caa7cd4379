// Two people chatting live in two browser contexts.
import assert from 'node:assert/strict';
import { bodies, eventually, hydrated, live, say, startConversation, twoPeople } from '../lib.mjs';

export default {
  async 'alice and bob chat live, see typing, and history survives a reload'({ browser, base }) {
    const { alice, bob } = await twoPeople(browser, base);
    const id = await startConversation(alice.page, bob.name);

    await bob.page.goto(`${base}/c/${id}`);
    await hydrated(bob.page);
    // Typing notices are live-only: both sockets must be up to see one.
    await live(bob.page);
    await live(alice.page);

    // Typing shows on the other side.
    await alice.page.fill('[data-testid=composer]', 'H');
    await alice.page.type('[data-testid=composer]', 'i');
    await bob.page.waitForSelector(`[data-testid=typing]:has-text("${alice.name}")`);

    await alice.page.press('[data-testid=composer]', 'Enter');
    await bob.page.waitForSelector('.message .body:text-is("Hi")');
    assert.equal(await bob.page.textContent('[data-testid=typing]'), '', 'typing clears when the message lands');

    // Shift+Enter makes a new line instead of sending.
    await bob.page.fill('[data-testid=composer]', 'line one');
    await bob.page.press('[data-testid=composer]', 'Shift+Enter');
    await bob.page.type('[data-testid=composer]', 'line two');
    await bob.page.press('[data-testid=composer]', 'Enter');
    await eventually(async () => (await bodies(alice.page)).includes('line one\nline two'), 'multi-line message');
    await alice.page.waitForSelector('.message.own[data-status=sent]');

    // Bodies are text, never HTML.
    await say(alice.page, '<img src=x onerror="window.pwned=1">');
    await eventually(async () => (await bodies(bob.page)).includes('<img src=x onerror="window.pwned=1">'), 'html-like text');
    assert.equal(await bob.page.evaluate(() => window.pwned), undefined);
    assert.equal(await bob.page.locator('.messages img').count(), 0);

    // The page comes with its data: hydration reuses what the server
    // loaded instead of asking for it again. (The list is refreshed once the
    // socket connects, by design, to catch what changed in between.)
    const refetched = [];
    const watch = (r) => {
      const p = new URL(r.url()).pathname;
      if (/^\/fn\/(auth\/me|chat\/(conversation|messages))$/.test(p)) refetched.push(p);
    };
    bob.page.on('request', watch);
    await bob.page.reload();
    await hydrated(bob.page);
    assert.deepEqual(await bodies(bob.page), ['Hi', 'line one\nline two', '<img src=x onerror="window.pwned=1">']);
    await bob.page.waitForLoadState('networkidle');
    bob.page.off('request', watch);
    assert.deepEqual(refetched, [], 'server-rendered data is not fetched again');
    await alice.context.close();
    await bob.context.close();
  },

  async 'the unread badge counts new messages until the conversation is opened'({ browser, base }) {
    const { alice, bob } = await twoPeople(browser, base);
    const id = await startConversation(alice.page, bob.name);
    await say(alice.page, 'first');
    await bob.page.goto(`${base}/`);
    await hydrated(bob.page);
    const badge = bob.page.locator(`[data-conversation="${id}"] [data-testid=unread]`);
    await eventually(async () => (await badge.textContent()) === '1', 'badge 1');
    await say(alice.page, 'second');
    await eventually(async () => (await badge.textContent()) === '2', 'badge 2 (live)');

    await bob.page.click(`[data-conversation="${id}"]`);
    await bob.page.waitForSelector('.message .body:text-is("second")');
    await eventually(async () => (await badge.count()) === 0, 'badge gone after reading');
    // The server agrees: after a reload the badge stays gone.
    await bob.page.goto(`${base}/`);
    await hydrated(bob.page);
    await bob.page.waitForSelector(`[data-conversation="${id}"]`);
    assert.equal(await badge.count(), 0);
    await alice.context.close();
    await bob.context.close();
  },
};
