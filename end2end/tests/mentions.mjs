// A mention through the "Mentions only" level. Bob turns his conversation
// with Alice down to mentions from its bell, goes back to the list and
// locks his phone. Alice's plain message does not push him; her mention,
// picked from the composer's suggestions, does. In the app, the list flags
// the mention, its "Mentions" filter finds it, and his name is marked.
import assert from 'node:assert/strict';
import {
  backToList, composer, conversationLink, conversationList, eventually, hideTab, message, messageList,
  openConversation, say, showTab, startConversation, step, twoPeople,
} from '../lib.mjs';
import { startPushService } from '../push-service.mjs';
import { phoneWithPush } from './push.mjs';

export const profiles = ['desktop', 'phone'];

const level = (page, id) =>
  page.evaluate(async (id) => (await (await fetch(`/api/v1/conversations/${id}`)).json()).notify_level, id);

export default {
  async 'a mention pushes through the mentions level'({ browser, base }) {
    const push = await startPushService();
    const { alice, bob } = await twoPeople(browser, base);
    step('bob signs in on his phone, with notifications on');
    const phone = await phoneWithPush(browser, base, push, bob.name, 'bob-phone');
    await bob.context.close();
    await backToList(phone.page);

    step('alice writes; bob opens it from his list');
    const id = await startConversation(alice.page, bob.name);
    await say(alice.page, 'Standup in 5');
    await openConversation(phone.page, alice.name);
    await message(phone.page, 'Standup in 5').waitFor();

    step('bob picks "Mentions only" from the bell');
    await phone.page.getByRole('button', { name: 'Notify me: All messages' }).click();
    await phone.page.getByRole('menu', { name: 'Notify me' }).getByRole('menuitemradio', { name: 'Mentions only' }).click();
    await phone.page.getByRole('button', { name: 'Notify me: Mentions only' }).waitFor();
    await eventually(async () => (await level(phone.page, id)) === 'mentions', 'the level saved');

    step('he goes back to the list and locks the phone');
    await backToList(phone.page);
    await hideTab(phone.page);

    step('alice: a plain message, then a mention picked from the suggestions');
    await say(alice.page, 'Coffee is ready');
    await composer(alice.page).fill(`Hey @${bob.name.slice(0, 4)}`);
    const suggestions = alice.page.getByRole('listbox', { name: 'People to mention' });
    await suggestions.getByRole('option', { name: bob.name }).click();
    await suggestions.waitFor({ state: 'detached' });
    assert.equal(await composer(alice.page).inputValue(), `Hey @${bob.name} `);
    await composer(alice.page).pressSequentially('can you review?');
    await composer(alice.page).press('Enter');

    step('only the mention pushed');
    const [received] = await push.waitFor('bob-phone', 1);
    assert.equal(received.payload.body, `Hey @${bob.name} can you review?`);
    await alice.page.waitForTimeout(500);
    assert.equal(push.received('bob-phone').length, 1, 'the plain message did not push');

    step('back in the app, the list flags the mention and its filter finds it');
    await showTab(phone.page);
    const row = conversationLink(phone.page, alice.name);
    await row.getByRole('img', { name: 'Mentions of you' }).waitFor();
    await conversationList(phone.page).getByRole('button', { name: 'Mentions' }).click();
    await row.waitFor();

    step('opening it marks his name; read, the flag goes');
    await openConversation(phone.page, alice.name);
    const mark = messageList(phone.page).locator('.mention.me');
    await mark.waitFor();
    assert.equal(await mark.textContent(), `@${bob.name}`);
    await eventually(async () => (await row.getByRole('img', { name: 'Mentions of you' }).count()) === 0, 'the flag gone');

    step('the level outlasts a reload');
    await phone.page.reload();
    await phone.page.getByRole('button', { name: 'Notify me: Mentions only' }).waitFor();
    await alice.context.close();
    await phone.context.close();
  },
};
