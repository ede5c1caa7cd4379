// A bot as Alice meets it: she makes one (over the API, with her session,
// as a script of hers would), starts a conversation with it from "New" in
// the list, and it answers like an assistant: "typing…" first, then its
// reply, both with her app open. The bot is tagged as one in the list and
// the header, and its reply survives a reload.
import assert from 'node:assert/strict';
import {
  backToList, conversationLink, eventually, message, say, signUpInUi, startConversation, step, uniqueName,
} from '../lib.mjs';

export const profiles = ['desktop', 'phone'];

/** The bot's program: calls the REST API with the bot's token. */
async function asBot(base, token, method, path, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

export default {
  async 'a person talks with a bot: it shows it is typing, answers, and is tagged as a bot'({ browser, base }) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const alice = uniqueName('alice');
    const botName = uniqueName('helper');
    step('alice signs up and makes a bot');
    await signUpInUi(page, base, alice);
    const made = await page.evaluate(async (username) => {
      const res = await fetch('/api/v1/bots', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, display_name: 'Helper' }),
      });
      return { status: res.status, body: await res.json() };
    }, botName);
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const token = made.body.token;

    step('she starts a conversation with it from "New"; the header says it is a bot');
    const id = await startConversation(page, botName);
    await page.getByRole('heading', { level: 1, name: new RegExp(`${botName}\\s*bot`, 'i') }).waitFor();
    await page.waitForSelector('.chat-layout[data-connection=online]');

    step('she asks; the bot shows it is typing, then answers');
    await say(page, 'What is on today?');
    await message(page, 'What is on today?').waitFor();
    await asBot(base, token, 'POST', `/api/v1/conversations/${id}/typing`);
    await page.getByTestId('typing').filter({ hasText: botName }).waitFor();
    await asBot(base, token, 'POST', `/api/v1/conversations/${id}/messages`, {
      client_id: crypto.randomUUID(), body: 'Dentist at 15:00.',
    });
    await message(page, 'Dentist at 15:00.').waitFor();

    step('the list tags it as a bot too; after a reload the answer is still there');
    if (await page.getByRole('link', { name: 'Back to conversations' }).isVisible()) await backToList(page);
    const row = conversationLink(page, botName);
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /bot/i);
    await page.reload();
    await eventually(async () => (await page.getByText('Dentist at 15:00.', { exact: false }).count()) > 0, 'the answer after a reload');
    await context.close();
  },
};
