// A bot as Alice meets it: she makes one in Settings → Bots (its token is
// shown once, for her program), starts a conversation with it from "New" in
// the list, and it answers like an assistant: "typing…" first, then its
// reply, both with her app open. The bot is tagged as one in the list and
// the header, and its reply survives a reload.
import assert from 'node:assert/strict';
import {
  backToList, conversationLink, eventually, message, openSettings, say, signUpInUi, startConversation, step,
  uniqueName,
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
    step('alice signs up and makes a bot in Settings; its token shows once');
    await signUpInUi(page, base, alice);
    await openSettings(page);
    const bots = page.getByRole('region', { name: 'Bots' });
    await bots.getByText('No bots yet.').waitFor();
    await bots.getByLabel('Bot username').fill(botName);
    await bots.getByRole('button', { name: 'Create bot' }).click();
    const token = (await bots.getByTestId('bot-token').textContent())?.trim();
    assert.match(token ?? '', /^tid_/);
    assert.match((await bots.getByTestId('bot-secret').textContent()) ?? '', /^whsec_/);
    await bots.getByRole('list', { name: 'Bots' }).getByRole('heading', { name: new RegExp(botName) }).waitFor();

    step('she starts a conversation with it from "New"; the header says it is a bot');
    await backToList(page);
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

    step('she gives it a new token: the old one stops working; then she deletes it');
    await openSettings(page);
    const card = page.getByRole('region', { name: 'Bots' }).getByRole('listitem').filter({ hasText: botName });
    await card.getByRole('button', { name: 'New token' }).click();
    await page.getByRole('region', { name: 'Bots' }).getByText('Its new token (shown only once):').waitFor();
    const old = await fetch(`${base}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(old.status, 401);
    await card.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('region', { name: 'Bots' }).getByText('No bots yet.').waitFor();
    await context.close();
  },
};
