// Searching messages: Bob remembers Alice wrote about fish weeks ago. He
// types "fis" in the search box above his list, sees her message with the
// word marked, taps it and lands at it in the conversation, older history
// loaded and the message marked. Back brings him to his results; clearing
// the box brings back his conversations, as they are now.
import assert from 'node:assert/strict';
import {
  backToList, conversationLink, live, message, messageList, postMany, say, startConversation, step, tap,
  twoPeople,
} from '../lib.mjs';

export const profiles = ['desktop', 'phone'];

const FISH = 'Fresh fish at the market on Friday';

export default {
  async 'bob finds an old message by a word and opens it there'({ browser, base }) {
    const { alice, bob } = await twoPeople(browser, base);
    step('alice writes about fish, then a long chat follows (over the API)');
    await startConversation(alice.page, bob.name);
    await say(alice.page, FISH);
    await message(alice.page, FISH).waitFor();
    await postMany(alice.page, 'later', 60);
    await conversationLink(bob.page, alice.name).waitFor();
    await live(bob.page);

    step('bob types part of the word; her message is found, the match marked');
    const box = bob.page.getByRole('searchbox', { name: 'Search messages' });
    await box.fill('fis');
    const results = bob.page.getByRole('region', { name: 'Search results' });
    const hit = results.getByRole('link').filter({ hasText: 'at the market' });
    await hit.waitFor();
    assert.equal(await hit.locator('mark').textContent(), 'fish');
    assert.equal(await bob.page.getByRole('button', { name: 'Mentions', exact: true }).isVisible(), false, 'the rows make way');
    await box.fill('nothing like this');
    await results.getByRole('status').filter({ hasText: 'No messages match.' }).waitFor();
    await box.fill('fis');

    step('he taps it: the conversation opens at her message, marked');
    await tap(hit);
    await bob.page.waitForURL(/\/c\/\d+$/);
    const found = messageList(bob.page).getByRole('listitem').filter({ hasText: FISH });
    await found.waitFor();
    await bob.page.locator('.messages [data-highlight="true"]').filter({ hasText: FISH }).waitFor();
    assert.ok(await found.isVisible(), 'scrolled into view');

    step('back: his results are still there; clearing the box shows his conversations');
    await backToList(bob.page);
    await hit.waitFor();
    await box.fill('');
    assert.equal(await results.count(), 0);
    // As things stand now, not as the list was first fetched: her last
    // message, and nothing unread (he has read them all).
    const row = conversationLink(bob.page, alice.name);
    await row.filter({ hasText: 'later 60' }).waitFor();
    assert.equal(await row.getByTestId('unread').count(), 0, 'no unread count after reading');
    await alice.context.close();
    await bob.context.close();
  },
};
