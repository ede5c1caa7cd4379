// Replying to a message, and jumping back to it: Bob answers Alice's plan
// from its actions ("Reply"), and both see the quote. After a long run of
// messages Bob quotes the plan again; Alice, who reloaded and has only the
// newest page, taps the quote and lands at the plan, loaded from older
// history and marked.
import assert from 'node:assert/strict';
import {
  bodies, conversationLink, live, message, messageList, openConversation, postMany, say, startConversation, step, twoPeople,
} from '../lib.mjs';

export const profiles = ['desktop', 'phone'];

const PLAN = 'The plan: meet at the station at 6';
const bubble = (page, text) => messageList(page).getByRole('listitem').filter({ hasText: text });

async function replyTo(page, text, answer) {
  const original = bubble(page, text).first();
  await original.getByRole('button', { name: 'Message actions' }).click();
  await original.getByRole('button', { name: 'Reply' }).click();
  await page.getByRole('status').filter({ hasText: 'Replying to' }).waitFor();
  await say(page, answer);
}

export default {
  async 'bob replies to alice and she jumps from his quote to her message'({ browser, base }) {
    const { alice, bob } = await twoPeople(browser, base);
    step('alice shares the plan; bob opens it from his list');
    await startConversation(alice.page, bob.name);
    await say(alice.page, PLAN);
    await conversationLink(bob.page, alice.name).waitFor();
    await openConversation(bob.page, alice.name);
    await message(bob.page, PLAN).waitFor();
    await live(bob.page);
    await live(alice.page);

    step('bob replies to it; both see his answer with the quote');
    await replyTo(bob.page, PLAN, 'Works for me');
    for (const page of [alice.page, bob.page]) {
      const answer = bubble(page, 'Works for me');
      await answer.getByRole('button', { name: new RegExp(`^${alice.name}\\s*${PLAN}`) }).waitFor();
    }
    assert.equal(await bob.page.getByRole('status').filter({ hasText: 'Replying to' }).count(), 0, 'the bar closes');

    step('a long chat follows (over the API), then bob quotes the plan again');
    await postMany(alice.page, 'filler', 60);
    await message(bob.page, 'filler 60').waitFor();
    await replyTo(bob.page, PLAN, 'Still on?');

    step('alice reloads (only the newest page), taps the quote and lands at the plan');
    await alice.page.reload();
    await message(alice.page, 'Still on?').waitFor();
    assert.ok(!(await bodies(alice.page)).includes(PLAN), 'the plan is not loaded yet');
    await bubble(alice.page, 'Still on?').getByRole('button', { name: new RegExp(`^${alice.name}`) }).click();
    const plan = messageList(alice.page).locator('[data-highlight]');
    await plan.waitFor();
    assert.match(await plan.textContent(), /The plan: meet at the station at 6/);
    assert.ok(await plan.isVisible(), 'scrolled into view');
    await alice.context.close();
    await bob.context.close();
  },
};
