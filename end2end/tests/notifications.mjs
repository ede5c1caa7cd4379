// The notification centre as Bob lives it: an app he gave a token to tells
// him things; the bell in the app bar counts them the moment they arrive;
// he taps the bell, reads, filters, archives, marks everything read (the
// count falls), and sets himself a reminder that fires a few seconds later.
import assert from 'node:assert/strict';
import { bell, eventually, openInbox, signUpInUi, step, uniqueName } from '../lib.mjs';

export const profiles = ['desktop', 'phone'];

/** A token Bob creates with his session, as a person does for an app. */
async function appToken(page) {
  const created = await page.evaluate(async () => {
    const res = await fetch('/api/v1/auth/tokens', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'feeder', scopes: ['notify'] }),
    });
    return { status: res.status, body: await res.json() };
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body.token;
}

/** The app posts to Bob from outside the browser, with its token. */
async function notify(base, token, body) {
  const res = await fetch(`${base}/api/v1/notifications`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  assert.equal(res.status, 201, text);
  return JSON.parse(text);
}

const bellCount = (page) => page.getByTestId('bell-count');
const inbox = (page) => page.getByTestId('inbox');
const item = (page, title) => inbox(page).getByRole('listitem').filter({ hasText: title });

async function countIs(page, n) {
  if (n === 0) {
    await bellCount(page).waitFor({ state: 'hidden', timeout: 10_000 });
  } else {
    await page.waitForFunction((n) => document.querySelector('[data-testid=bell-count]:not([hidden])')?.textContent === String(n), n, { timeout: 10_000 });
  }
}

export default {
  async 'the bell counts what arrives live; the inbox reads, filters, archives and clears it'({ browser, base }) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const bob = uniqueName('bob');
    step('bob signs up; an app he trusts gets a token');
    await signUpInUi(page, base, bob);
    const token = await appToken(page);
    await page.waitForSelector('.chat-layout[data-connection=online]');
    await countIs(page, 0);

    step('the app tells him twice; the bell counts without a reload');
    await notify(base, token, { to: bob, title: 'Feeding due', body: 'Bottle at 14:00', kind: 'app.feeder', url: '/settings' });
    await countIs(page, 1);
    await notify(base, token, { to: bob, title: 'Report ready', kind: 'system' });
    await countIs(page, 2);

    step('he taps the bell: the dropdown has both, newest first; Escape closes it');
    await bell(page).click();
    const latest = page.getByRole('list', { name: 'Latest notifications' });
    await latest.getByRole('link', { name: /Report ready/ }).waitFor();
    assert.deepEqual(await latest.locator('.inbox-title').allTextContents(), ['Report ready', 'Feeding due']);
    assert.equal(await bell(page).getAttribute('aria-expanded'), 'true');
    await page.keyboard.press('Escape');
    await latest.waitFor({ state: 'hidden' });
    step('it opens again, and a tap beside it closes it');
    await bell(page).click();
    await latest.waitFor();
    await page.mouse.click(20, 400);
    await latest.waitFor({ state: 'hidden' });
    assert.equal(page.url(), `${base}/`, 'the tap beside it went nowhere');

    step('"See all" opens the inbox');
    await openInbox(page);
    await item(page, 'Report ready').waitFor();
    const titles = await inbox(page).locator('.inbox-title').allTextContents();
    assert.deepEqual(titles, ['Report ready', 'Feeding due']);

    step('a third arrives while the inbox is open: the list and the bell follow');
    await notify(base, token, { to: bob, title: 'Nap over', kind: 'app.feeder' });
    await item(page, 'Nap over').waitFor();
    await countIs(page, 3);

    step('he shows only the feeder app, then every kind again');
    await page.getByLabel('Show').selectOption('app.feeder');
    await item(page, 'Report ready').waitFor({ state: 'hidden' });
    assert.ok(await item(page, 'Feeding due').isVisible());
    await page.getByLabel('Show').selectOption('');
    await item(page, 'Report ready').waitFor();

    step('he marks one read with its button, and archives another');
    await item(page, 'Nap over').getByRole('button', { name: 'Mark read' }).click();
    await countIs(page, 2);
    await item(page, 'Report ready').getByRole('button', { name: 'Archive' }).click();
    await item(page, 'Report ready').waitFor({ state: 'detached' });
    await countIs(page, 1);

    step('a tap on the feeder item opens its link and reads it; back returns to the inbox');
    await item(page, 'Feeding due').getByRole('link').click();
    await page.waitForURL((url) => url.pathname === '/settings');
    await countIs(page, 0);
    await page.goBack();
    await page.waitForURL((url) => url.pathname === '/notifications');
    await item(page, 'Feeding due').waitFor();
    assert.equal(await item(page, 'Feeding due').locator('.inbox-item').getAttribute('data-unread'), 'false');

    step('two more, then "Mark all read": the count falls to nothing');
    await notify(base, token, { to: bob, title: 'Walk', kind: 'app.feeder' });
    await notify(base, token, { to: bob, title: 'Bath', kind: 'app.feeder' });
    await countIs(page, 2);
    await page.getByRole('button', { name: 'Mark all read' }).click();
    await countIs(page, 0);
    const server = await page.evaluate(async () => (await fetch('/api/v1/notifications/unread-count')).json());
    assert.equal(server.notifications, 0, 'the server agrees');

    step('one more; a tap on it in the dropdown opens its link and reads it');
    await notify(base, token, { to: bob, title: 'Settings changed', kind: 'system', url: '/settings' });
    await countIs(page, 1);
    await bell(page).click();
    await page.getByRole('list', { name: 'Latest notifications' }).getByRole('link', { name: /Settings changed/ }).click();
    await page.waitForURL((url) => url.pathname === '/settings');
    await countIs(page, 0);
    await context.close();
  },

  async '"Remind me" sets a reminder that fires into the inbox and the bell'({ browser, base }) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const bob = uniqueName('bob');
    await signUpInUi(page, base, bob);
    await page.waitForSelector('.chat-layout[data-connection=online]');
    step('from the bell to the inbox, then the form: "Stretch", a few seconds from now');
    await openInbox(page);
    const form = page.getByRole('region', { name: 'Remind me' });
    await form.getByLabel('What').fill('Stretch');
    await form.getByRole('radio', { name: 'On a date' }).check();
    // The browser's local time, as the date-time field takes it.
    const soon = await page.evaluate(() => {
      const t = new Date(Date.now() + 6000);
      const p = (n) => String(n).padStart(2, '0');
      return `${t.getFullYear()}-${p(t.getMonth() + 1)}-${p(t.getDate())}T${p(t.getHours())}:${p(t.getMinutes())}:${p(t.getSeconds())}`;
    });
    await form.locator('input[name=at]').fill(soon);
    await form.getByRole('button', { name: 'Set reminder' }).click();
    await form.getByRole('status').filter({ hasText: 'Reminder set.' }).waitFor();
    const scheduled = await page.evaluate(async () => (await fetch('/api/v1/notifications/scheduled')).json());
    assert.equal(scheduled.length, 1, JSON.stringify(scheduled));

    step('it fires: the inbox shows it and the bell counts it');
    await item(page, 'Stretch').waitFor({ timeout: 20_000 });
    await countIs(page, 1);
    await eventually(
      async () => (await page.evaluate(async () => (await fetch('/api/v1/notifications/scheduled')).json())).length === 0,
      'the one-off schedule is done',
    );
    assert.match(await item(page, 'Stretch').textContent(), /reminder/);
    await context.close();
  },
};
