// A bot as Alice meets it: she makes one in Settings → Bots (its token is
// shown once, for her program), starts a conversation with it from "New" in
// the list, and it answers like an assistant: "typing…" first, then its
// reply, growing word by word behind a caret, with her app open. The bot is tagged as one in the list and
// the header, and its reply survives a reload.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  backToList, bell, conversationLink, eventually, message, openSettings, say, signUpInUi, startConversation, step,
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
const release = path.join(process.env.CARGO_TARGET_DIR || path.join(root, 'target'), 'release');
const agentBinary = path.join(release, 'echo-agent');
const reminderBinary = path.join(release, 'reminder-bot');
const shots = path.join(root, 'target', 'screenshots');

/** Starts an example bot as a real process on `port`; resolves once it listens. */
async function runBot(binary, base, { token, secret }, port, extraEnv = {}) {
  assert.ok(existsSync(binary), `build the examples first: make build (no ${binary})`);
  const bot = spawn(binary, [], {
    env: {
      ...process.env, TIDINGS_URL: base, BOT_TOKEN: token, SIGNING_SECRET: secret, LISTEN: `127.0.0.1:${port}`,
      ...extraEnv,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  await eventually(() => new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => { socket.end(); resolve(true); });
    socket.on('error', () => resolve(false));
  }), `${path.basename(binary)} listens`);
  return bot;
}

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

/**
 * Alice signs up, makes a bot in Settings whose webhook is an example
 * program, and starts that program as a real process.
 */
async function botProcess(browser, base, binary, prefix, env) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const botName = uniqueName(prefix);
  const port = await freePort();
  await signUpInUi(page, base, uniqueName('alice'));
  await openSettings(page);
  const keys = await makeBotInSettings(page, botName, `http://127.0.0.1:${port}/hook`);
  const bot = await runBot(binary, base, keys, port, env);
  return { context, page, botName, bot };
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

  async 'echo-agent, a real bot process, gets her message by webhook, shows it is typing and streams its answer'({ browser, base }) {
    step('alice makes a bot whose webhook is the agent');
    const { context, page, botName, bot: agent } = await botProcess(browser, base, agentBinary, 'echo', { WORD_DELAY_MS: '300' });
    try {
      step('she writes to it; it shows it is typing, then answers');
      await backToList(page);
      await startConversation(page, botName);
      await page.waitForSelector('.chat-layout[data-connection=online]');
      await say(page, 'hello there');
      await page.getByTestId('typing').filter({ hasText: botName }).waitFor({ timeout: 15_000 });

      step('the reply streams in word by word, growing in place behind a caret');
      const answer = 'You said: hello there';
      const growing = page.locator('li.message[data-streaming=true]');
      await growing.waitFor({ timeout: 15_000 });
      assert.equal(await growing.locator('.caret').count(), 1, 'a streaming caret');
      mkdirSync(shots, { recursive: true });
      await page.screenshot({ path: path.join(shots, `bot-streaming-${page.viewportSize()?.width}.png`) });
      const bubble = await growing.elementHandle();
      const seen = [];
      for (let i = 0; i < 200; i++) {
        const now = await bubble.evaluate((el) => ({ text: el.querySelector('.body').textContent, connected: el.isConnected }));
        if (!now.connected) {
          // Replaced: only the finish may do that, never a delta.
          assert.equal(await growing.count(), 0, 'the bubble was re-rendered while it streamed');
          break;
        }
        if (seen.at(-1) !== now.text) seen.push(now.text);
        await page.waitForTimeout(40);
      }
      const partial = seen.filter((t) => t.length > 0 && t !== answer);
      assert.ok(partial.length >= 2, `saw it grow: ${JSON.stringify(seen)}`);
      for (const text of seen) assert.ok(answer.startsWith(text), `${JSON.stringify(text)} is a start of the answer`);
      const done = page.locator('li.message:not([data-streaming])').filter({ hasText: answer });
      await done.waitFor({ timeout: 15_000 });
      assert.equal(await done.locator('.caret').count(), 0, 'no caret once finished');

      step('the answer stays after a reload, and came once');
      await page.reload();
      await message(page, 'You said: hello there').waitFor();
      assert.equal(await message(page, 'You said: hello there').count(), 1);
    } finally {
      agent.kill();
      await context.close();
    }
  },

  async 'reminder-bot, a real bot process, sets a reminder from her words and it arrives in her inbox'({ browser, base }) {
    step('alice makes a bot whose webhook is reminder-bot');
    const { context, page, botName, bot } = await botProcess(browser, base, reminderBinary, 'remind', { REMINDER_TZ: 'UTC' });
    try {
      step('she asks it, in her words, to remind her in a few seconds; it says what it understood');
      await backToList(page);
      await startConversation(page, botName);
      await page.waitForSelector('.chat-layout[data-connection=online]');
      await say(page, 'remind me in 4 seconds to stretch');
      await message(page, /I'll remind you to stretch today at \d\d:\d\d \(UTC\)\./).waitFor({ timeout: 15_000 });

      step('the reminder arrives: the bell counts it and lists it');
      await bell(page).filter({ hasText: '1' }).waitFor({ timeout: 20_000 });
      await bell(page).click();
      await page.getByRole('list', { name: 'Latest notifications' }).getByText('stretch').waitFor();
      await page.keyboard.press('Escape');

      step('a recurring one: it answers with the rule, and the reminder waits its turn');
      await say(page, 'every weekday at 8:00 review the inbox');
      await message(page, "I'll remind you to review the inbox every weekday at 08:00.").waitFor({ timeout: 15_000 });
      const scheduled = await page.evaluate(async () => (await fetch('/api/v1/notifications/scheduled')).json());
      assert.equal(scheduled.length, 1, JSON.stringify(scheduled));
      assert.match(scheduled[0].recurrence, /BYDAY=MO,TU,WE,TH,FR/);

      step('words it does not know get the phrasings it does');
      await say(page, 'hello bot');
      await message(page, /I understand "remind me in 10 minutes to …"/).waitFor({ timeout: 15_000 });
    } finally {
      bot.kill();
      await context.close();
    }
  },
};
