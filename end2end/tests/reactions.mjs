// Reacting to a message, live across two people: Bob reacts to Alice's
// message from its actions (the quick picker), then finds one more in the
// full picker by name; Alice sees both chips with who reacted, adds hers
// to one by tapping it, and Bob takes his back the same way.
import assert from 'node:assert/strict';
import {
  conversationLink, live, message, messageList, openConversation, say, startConversation, step, twoPeople,
} from '../lib.mjs';

export const profiles = ['desktop', 'phone'];

const bubble = (page, text) => messageList(page).getByRole('listitem').filter({ hasText: text });

export default {
  async 'bob reacts to alice and both see who reacted live'({ browser, base }) {
    const { alice, bob } = await twoPeople(browser, base);
    step('alice writes to bob; bob opens it from his list');
    await startConversation(alice.page, bob.name);
    await say(alice.page, 'I got the job');
    await conversationLink(bob.page, alice.name).waitFor();
    await openConversation(bob.page, alice.name);
    await message(bob.page, 'I got the job').waitFor();
    await live(bob.page);
    await live(alice.page);

    step('bob reacts from the quick picker');
    const hers = bubble(bob.page, 'I got the job');
    await hers.getByRole('button', { name: 'Message actions' }).click();
    await hers.getByRole('group', { name: 'React' }).getByRole('button', { name: '❤️' }).click();
    const heart = (page) => bubble(page, 'I got the job').getByRole('button', { name: /^❤️ \d/ });
    await heart(alice.page).waitFor();
    assert.equal(await heart(alice.page).getAttribute('aria-label'), `❤️ 1: ${bob.name}`);
    assert.equal(await heart(alice.page).getAttribute('aria-pressed'), 'false');
    assert.equal(await heart(bob.page).getAttribute('aria-pressed'), 'true');

    step('he finds one more in the full picker by its name');
    await hers.getByRole('button', { name: 'Message actions' }).click();
    await hers.getByRole('button', { name: 'More reactions' }).click();
    await hers.getByRole('searchbox', { name: 'Search emoji' }).fill('party popper');
    await hers.getByRole('button', { name: 'party popper' }).click();
    const party = (page) => bubble(page, 'I got the job').getByRole('button', { name: /^🎉 \d/ });
    await party(alice.page).waitFor();

    step('alice adds hers by tapping the chip; bob takes his heart back');
    await party(alice.page).click();
    await bubble(bob.page, 'I got the job').getByRole('button', { name: `🎉 2: ${bob.name}, ${alice.name}` }).waitFor();
    await heart(bob.page).click();
    await heart(alice.page).waitFor({ state: 'detached' });
    assert.equal(await party(alice.page).getAttribute('aria-pressed'), 'true');

    step('after a reload the reactions are still there');
    await alice.page.reload();
    await party(alice.page).waitFor();
    await alice.context.close();
    await bob.context.close();
  },
};
