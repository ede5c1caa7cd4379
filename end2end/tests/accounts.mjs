// Accounts in the browser: sign up, sign out, sign in; hydration works.
import assert from 'node:assert/strict';
import { bodies, eventually, hydrated, say, signOut, signUpInUi, startConversation, twoPeople, uniqueName } from '../lib.mjs';

export default {
  async 'sign up, sign out and sign in show the username'({ browser, base }) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const name = uniqueName('alice');
    await signUpInUi(page, base, name);
    assert.equal(new URL(page.url()).pathname, '/');

    // The session survives a reload (HttpOnly cookie, rendered on the server).
    await page.reload();
    await page.waitForSelector(`[data-testid=username]:text-is("${name}")`);
    const cookie = (await context.cookies()).find((c) => c.name === 'tidings_session');
    assert.ok(cookie?.httpOnly, 'session cookie is HttpOnly');
    assert.equal(cookie.sameSite, 'Lax');

    await hydrated(page);
    await signOut(page);
    await page.waitForURL(`${base}/signin`);
    await page.waitForSelector('[data-testid=username]', { state: 'detached' });

    // Signed out, / sends the browser to the welcome page, also through
    // the service worker that now controls the page.
    await page.goto(`${base}/`);
    await page.waitForURL(`${base}/welcome`);
    await page.waitForSelector('[data-testid=welcome]');
    assert.ok(await page.evaluate(() => !!navigator.serviceWorker.controller), 'the worker handled the navigation');
    await page.goto(`${base}/signin`);

    await hydrated(page);
    await page.getByLabel('Username').fill(name);
    await page.getByLabel('Password', { exact: true }).fill('correct horse');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForSelector(`[data-testid=username]:text-is("${name}")`);
    await context.close();
  },

  async 'a signed-out visitor of a conversation signs in and lands back on it'({ browser, base }) {
    const { alice, bob } = await twoPeople(browser, base);
    const id = await startConversation(alice.page, bob.name);
    await say(alice.page, 'Are you there?');
    await eventually(async () => (await bodies(alice.page)).includes('Are you there?'), 'message sent');

    // Bob's session has ended (here: he signed out), then he taps a link
    // to the conversation.
    await hydrated(bob.page);
    await signOut(bob.page);
    await bob.page.waitForURL(`${base}/signin`);
    await bob.page.goto(`${base}/c/${id}`);
    await bob.page.waitForURL(`${base}/signin?next=%2Fc%2F${id}`);
    await hydrated(bob.page);
    // A wrong password first: the form comes back with the error and still
    // knows where to go.
    await bob.page.getByLabel('Username').fill(bob.name);
    await bob.page.getByLabel('Password', { exact: true }).fill('not the password');
    await bob.page.getByRole('button', { name: 'Sign in' }).click();
    await bob.page.waitForSelector('.error[data-code=bad_credentials]');
    await hydrated(bob.page);
    await bob.page.getByLabel('Username').fill(bob.name);
    await bob.page.getByLabel('Password', { exact: true }).fill('correct horse');
    await bob.page.getByRole('button', { name: 'Sign in' }).click();
    await bob.page.waitForURL(`${base}/c/${id}`);
    await eventually(async () => (await bodies(bob.page)).includes('Are you there?'), "Alice's message shown");
    await alice.context.close();
    await bob.context.close();
  },

  async 'a wrong password shows a translated error'({ browser, base }) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/signin`);
    await hydrated(page);
    await page.getByLabel('Username').fill(uniqueName('nobody'));
    await page.getByLabel('Password', { exact: true }).fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const error = await page.waitForSelector('.error[data-code=bad_credentials]');
    assert.equal(await error.textContent(), 'Wrong username or password.');
    // The server rendered that; the browser decodes the same error from the
    // URL (`atob`, error::wire::from_url), which a language switch shows.
    await hydrated(page);
    await page.selectOption('select[name=language]', 'es');
    await page.waitForSelector('.error[data-code=bad_credentials]:text-is("Usuario o contraseña incorrectos.")');
    await page.selectOption('select[name=language]', 'en');

    // Offline, the form says so and stays put instead of posting into a
    // network error page.
    await hydrated(page);
    await context.setOffline(true);
    await page.getByLabel('Username').fill(uniqueName('nobody'));
    await page.getByLabel('Password', { exact: true }).fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const offline = await page.waitForSelector('.error[data-code=offline]');
    assert.equal(await offline.textContent(), 'You are offline. Connect to the internet to continue.');
    assert.equal(new URL(page.url()).pathname, '/signin');
    await context.close();
  },

  async 'client-side controls work after hydration'({ browser, base }) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/signin`);
    await hydrated(page);
    const input = page.locator('input[name=password]');
    assert.equal(await input.getAttribute('type'), 'password');
    await page.getByRole('button', { name: 'Show password' }).click();
    assert.equal(await input.getAttribute('type'), 'text');

    // Switching language re-renders in place and is remembered in a cookie.
    await page.selectOption('select[name=language]', 'es');
    await page.waitForSelector('h1:text-is("Hola de nuevo")');
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'es');
    await page.reload();
    await page.waitForSelector('h1:text-is("Hola de nuevo")');
    await context.close();
  },

  async 'sign-up and sign-in forms work without JavaScript'({ browser, base }) {
    // The forms post to their server functions; the server redirects back,
    // with any error in the URL for the page to show.
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const name = uniqueName('nojs');
    await page.goto(`${base}/signup`);
    await page.getByLabel('Username').fill(name);
    await page.getByLabel('Password', { exact: true }).fill('correct horse');
    await page.getByRole('button', { name: 'Create account' }).click();
    // Pages stream their data-dependent parts in with a script, so without
    // JavaScript the proof of signing in is the session cookie.
    const signedIn = async () => (await context.cookies()).some((c) => c.name === 'tidings_session' && c.value);
    await page.waitForURL(`${base}/`);
    assert.ok(await signedIn(), 'signed up and in');

    await context.clearCookies();
    await page.goto(`${base}/signin`);
    await page.getByLabel('Username').fill(name);
    await page.getByLabel('Password', { exact: true }).fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const error = await page.waitForSelector('.error[data-code=bad_credentials]');
    assert.equal(await error.textContent(), 'Wrong username or password.');

    await page.getByLabel('Username').fill(name);
    await page.getByLabel('Password', { exact: true }).fill('correct horse');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/`);
    assert.ok(await signedIn(), 'signed in');
    await context.close();
  },
};
