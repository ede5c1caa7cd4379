// Fixing a typo and taking a message back, live across two people: Alice
// edits hers in place (from its actions, and with the Up arrow in an empty
// box), Bob sees the new text marked "edited"; she deletes one after
// confirming, and on both sides it becomes "Message deleted", also after a
// reload (the device's copy forgets the text too).
import assert from 'node:assert/strict';
import {
  bodies, composer, conversationLink, eventually, live, message, messageList, openConversation, say,
  startConversation, step, twoPeople,
} from '../lib.mjs';

export const profiles = ['desktop', 'phone'];

/** Alice's own bubble with this text. */
const bubble = (page, text) => messageList(page).getByRole('listitem').filter({ hasText: text });

export default {
  async 'alice edits and deletes her messages and bob sees both live'({ browser, base }) {
    const { alice, bob } = await twoPeople(browser, base);
    step('alice writes to bob; bob opens it from his list');
    await startConversation(alice.page, bob.name);
    await say(alice.page, 'See you at 8');
    await conversationLink(bob.page, alice.name).waitFor();
    await openConversation(bob.page, alice.name);
    await message(bob.page, 'See you at 8').waitFor();
    await live(bob.page);
    await live(alice.page);

    step('she fixes the time from the message actions');
    const mine = bubble(alice.page, 'See you at 8');
    await mine.getByRole('button', { name: 'Message actions' }).click();
    await mine.getByRole('button', { name: 'Edit' }).click();
    const box = alice.page.getByRole('textbox', { name: 'Edit message' });
    await box.fill('See you at 9');
    await box.press('Enter');
    await message(alice.page, 'See you at 9').waitFor();
    await message(bob.page, 'See you at 9').waitFor();
    assert.match(await bubble(bob.page, 'See you at 9').textContent(), /edited/);

    step('the Up arrow in an empty box edits her last message');
    await say(alice.page, 'Bring teh cake');
    await message(bob.page, 'Bring teh cake').waitFor();
    await composer(alice.page).click();
    await composer(alice.page).press('ArrowUp');
    await box.fill('Bring the cake');
    await box.press('Enter');
    await message(bob.page, 'Bring the cake').waitFor();

    step('she deletes one, after confirming; both sides show the tombstone');
    const cake = bubble(alice.page, 'Bring the cake');
    await cake.getByRole('button', { name: 'Message actions' }).click();
    await cake.getByRole('button', { name: 'Delete' }).click();
    const confirm = alice.page.getByRole('group', { name: 'Delete this message for everyone?' });
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await message(alice.page, 'Message deleted').waitFor();
    await message(bob.page, 'Message deleted').waitFor();
    assert.ok(!(await bodies(bob.page)).includes('Bring the cake'));

    step('after a reload the text stays gone, on the screen and in the device copy');
    await bob.page.reload();
    await message(bob.page, 'Message deleted').waitFor();
    await eventually(async () => !(await bob.page.evaluate(async () => {
      const names = (await indexedDB.databases()).map((d) => d.name);
      const found = [];
      for (const name of names) {
        const db = await new Promise((ok, no) => { const r = indexedDB.open(name); r.onsuccess = () => ok(r.result); r.onerror = no; });
        for (const store of db.objectStoreNames) {
          const all = await new Promise((ok) => { const r = db.transaction(store).objectStore(store).getAll(); r.onsuccess = () => ok(r.result); });
          found.push(JSON.stringify(all));
        }
        db.close();
      }
      return found.join('\n');
    })).includes('Bring the cake'), 'the offline copy forgets the deleted text');
    await alice.context.close();
    await bob.context.close();
  },
};
