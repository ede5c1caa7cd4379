// Every screen at a phone's 360 px and at desktop width: nothing runs off
// the side, and every icon draws (inline SVG with a size, never an emoji
// box). Screenshots of each screen go to target/screenshots for a look.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  bell, composer, hydrated, openConversation, openInbox, openSettings, say, signUpInUi, startConversation, step, uniqueName,
} from '../lib.mjs';

const shots = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'target', 'screenshots');
const WIDTHS = { narrow: { width: 360, height: 740 }, desktop: { width: 1280, height: 800 } };

/** Fails if anything on screen reaches past the viewport's right edge. */
async function fits(page, screen, viewportWidth) {
  const result = await page.evaluate((viewportWidth) => {
    // A phone widens its layout viewport to fit content that overflows,
    // and innerWidth with it: measure against the screen's own width.
    const width = Math.min(window.innerWidth, viewportWidth);
    const over = [];
    for (const el of document.body.querySelectorAll('*')) {
      const box = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      if (box.width === 0 || style.visibility === 'hidden' || el.closest('.visually-hidden')) continue;
      if (box.right > width + 1 || box.left < -1) over.push(`${el.tagName.toLowerCase()}.${el.className?.baseVal ?? el.className} (${Math.round(box.left)}–${Math.round(box.right)})`);
    }
    return { scroll: document.documentElement.scrollWidth, width, over: over.slice(0, 5) };
  }, viewportWidth);
  assert.ok(result.scroll <= result.width, `${screen}: the page scrolls sideways (${result.scroll} > ${result.width}): ${result.over.join(", ")}`);
  assert.deepEqual(result.over, [], `${screen}: elements past the edge at ${result.width} px`);
  const blank = await page.evaluate(() => [...document.querySelectorAll('svg.icon')]
    .filter((svg) => svg.getClientRects().length && (svg.getBoundingClientRect().width < 8 || !svg.querySelector('path, circle')))
    .map((svg) => svg.parentElement.outerHTML.slice(0, 80)));
  assert.deepEqual(blank, [], `${screen}: icons that do not draw`);
}

async function look(page, name, width) {
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: path.join(shots, `${name}-${width}.png`) });
  await fits(page, `${name} at ${width}`, WIDTHS[width].width);
}

export default {
  async 'every screen fits a 360 px phone and a desktop, with icons that draw'({ browser, base }) {
    for (const [width, viewport] of Object.entries(WIDTHS)) {
      const mobile = width === 'narrow' ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {};
      const context = await browser.newContext({ viewport, ...mobile });
      const page = await context.newPage();
      step(`${width}: signed-out screens`);
      await page.goto(`${base}/`);
      await hydrated(page);
      await look(page, 'welcome', width);
      await page.getByRole('link', { name: 'Sign in' }).first().click();
      await page.getByLabel('Username').waitFor();
      await look(page, 'signin', width);

      step(`${width}: signed in`);
      const friend = uniqueName('fern');
      const other = await browser.newContext();
      await signUpInUi(await other.newPage(), base, friend);
      await other.close();
      const me = uniqueName('averyverylongname');
      await signUpInUi(page, base, me);
      await look(page, 'list-empty', width);
      if (width === 'narrow') {
        await page.getByRole('button', { name: 'Menu' }).click();
        await page.getByRole('button', { name: 'Sign out' }).waitFor();
        await look(page, 'menu', width);
        await page.getByRole('button', { name: 'Menu' }).click();
      }
      await page.getByRole('button', { name: 'New', exact: true }).click();
      await page.getByRole('dialog', { name: 'New conversation' }).waitFor();
      await look(page, 'new-conversation', width);
      await page.getByRole('button', { name: 'Cancel' }).click();
      await startConversation(page, friend);
      await say(page, 'A first line that is long enough to wrap on a narrow phone screen without pushing anything sideways');
      await page.locator('.message.own[data-status=sent]').waitFor();
      await composer(page).fill('pending…');
      await look(page, 'conversation', width);
      await page.goBack();
      await page.waitForURL((url) => url.pathname === '/');
      await look(page, 'list', width);
      const search = page.getByRole('searchbox', { name: 'Search messages' });
      await search.fill('narrow phone');
      await page.getByRole('region', { name: 'Search results' }).getByRole('link').first().waitFor();
      await look(page, 'search', width);
      await search.fill('');
      await openConversation(page, friend);
      step(`${width}: settings, with a bot that has the longest name there is`);
      await page.evaluate(async (name) => {
        await fetch('/api/v1/bots', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: name, webhook_url: 'https://hooks.example.com/a/very/long/path/that/goes/on' }),
        });
      }, `b${Date.now()}${width}`.padEnd(32, 'x').slice(0, 32));
      await openSettings(page);
      await page.getByRole('list', { name: 'Bots' }).scrollIntoViewIfNeeded();
      await look(page, 'settings', width);
      step(`${width}: the inbox, with a long notification in it`);
      await page.evaluate(async (me) => {
        await fetch('/api/v1/notifications', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ to: me, kind: 'app.averylongappnamethatgoesonandon', title: 'A reminder with a title long enough to wrap on a narrow phone', body: 'https://example.com/a/very/long/link/without/any/spaces/to/break/it/anywhere/at/all' }),
        });
      }, me);
      await bell(page).click();
      await page.getByRole('list', { name: 'Latest notifications' }).getByRole('listitem').first().waitFor();
      await look(page, 'bell-dropdown', width);
      await page.keyboard.press('Escape');
      await openInbox(page);
      await page.getByTestId('inbox').getByRole('listitem').first().waitFor();
      await look(page, 'notifications', width);
      await context.close();
    }
  },
};
