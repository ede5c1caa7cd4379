// Reading a group: Alice writes in a group with Bob while he is away.
// When he taps it in his list, "New messages" stands above the first one
// he had not read; reading it tells Alice live: "Seen by 1" under her
// last message.
import {
  conversationLink, live, message, messageList, openConversation, say, startConversation, step, twoPeople,
} from '../lib.mjs';

export const profiles = ['desktop', 'phone'];

export default {
  async 'new messages are marked and the writer sees who read them'({ browser, base }) {
    const { alice, bob } = await twoPeople(browser, base);
    step('a stranger cannot be put in a group: alice is told to write to him first');
    await alice.page.getByRole('button', { name: 'New', exact: true }).click();
    const dialog = alice.page.getByRole('dialog', { name: 'New conversation' });
    await dialog.getByLabel('People').fill(bob.name);
    await dialog.getByLabel('Group name (optional)').fill('Book club');
    await dialog.getByRole('button', { name: 'Start' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'Start a conversation with them first' }).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await startConversation(alice.page, bob.name);
    await say(alice.page, 'Hi Bob');

    step('alice starts a group with bob and writes twice');
    await startConversation(alice.page, bob.name, 'Book club');
    await say(alice.page, 'Chapter 3 tonight?');
    await say(alice.page, 'Bring snacks');
    await live(alice.page);
    const seen = messageList(alice.page).getByText('Seen by 1');
    await message(alice.page, 'Bring snacks').waitFor();

    step('bob taps the group in his list: "New messages" above the first');
    await conversationLink(bob.page, 'Book club').waitFor();
    await openConversation(bob.page, 'Book club');
    const divider = messageList(bob.page).getByRole('separator', { name: 'New messages' });
    await divider.waitFor();
    await message(bob.page, 'Chapter 3 tonight?').waitFor();

    step('alice sees that he read them');
    await seen.waitFor();
    const last = messageList(alice.page).getByRole('listitem').filter({ hasText: 'Bring snacks' });
    await last.getByText('Seen by 1').waitFor();
    await alice.context.close();
    await bob.context.close();
  },
};
