// A bot as Alice meets it: she makes one in Settings → Bots (its token is
// shown once, for her program), starts a conversation with it from "New" in
// the list, and it answers like an assistant: "typing…" first, then its
// reply, both with her app open. The bot is tagged as one in the list and
// the header, and its reply survives a reload.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const agentBinary = path.join(process.env.CARGO_TARGET_DIR || path.join(root, 'target'), 'release', 'echo-agent');

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Makes a bot in Settings → Bots (open); returns the token and secret it shows once. */
async function makeBotInSettings(page, name, webhookUrl) {
  const bots = page.getByRole('region', { name: 'Bots' });
  const form = bots.getByRole('form', { name: 'New bot' });
  await form.getByLabel('Bot username').fill(name);
  if (webhookUrl) await form.getByLabel('Webhook URL (optional)').fill(webhookUrl);
  await form.getByRole('button', { name: 'Create bot' }).click();
  const token = (await bots.getByTestId('bot-token').textContent())?.trim() ?? '';
  const secret = (await bots.getByTestId('bot-secret').textContent())?.trim() ?? '';
  assert.match(token, /^tid_/);
  assert.match(secret, /^whsec_/);
  await bots.getByRole('list', { name: 'Bots' }).getByRole('heading', { name: new RegExp(name) }).waitFor();
  return { token, secret };
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
    await page.getByRole('region', { name: 'Bots' }).getByText('No bots yet.').waitFor();
    const { token } = await makeBotInSettings(page, botName);

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

  async 'echo-agent, a real bot process, gets her message by webhook, shows it is typing and answers'({ browser, base }) {
    assert.ok(existsSync(agentBinary), `build the example first: cargo build --release -p echo-agent (no ${agentBinary})`);
    const context = await browser.newContext();
    const page = await context.newPage();
    const alice = uniqueName('alice');
    const botName = uniqueName('echo');
    const port = await freePort();
    step('alice makes a bot whose webhook is the agent');
    await signUpInUi(page, base, alice);
    await openSettings(page);
    const { token, secret } = await makeBotInSettings(page, botName, `http://127.0.0.1:${port}/hook`);
    const agent = spawn(agentBinary, [], {
      env: { ...process.env, TIDINGS_URL: base, BOT_TOKEN: token, SIGNING_SECRET: secret, LISTEN: `127.0.0.1:${port}` },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    try {
      await eventually(() => new Promise((resolve) => {
        const socket = net.connect(port, '127.0.0.1', () => { socket.end(); resolve(true); });
        socket.on('error', () => resolve(false));
      }), 'the agent listens');

      step('she writes to it; it shows it is typing, then answers');
      await backToList(page);
      await startConversation(page, botName);
      await page.waitForSelector('.chat-layout[data-connection=online]');
      await say(page, 'hello there');
      await page.getByTestId('typing').filter({ hasText: botName }).waitFor({ timeout: 15_000 });
      await message(page, 'You said: hello there').waitFor({ timeout: 15_000 });

      step('the answer stays after a reload, and came once');
      await page.reload();
      await message(page, 'You said: hello there').waitFor();
      assert.equal(await message(page, 'You said: hello there').count(), 1);
    } finally {
      agent.kill();
      await context.close();
    }
  },
};
