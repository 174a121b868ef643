// The account screens in Chromium: password reset, two-step sign-in turned on from the settings
// (with the TOTP computed here for the time the server's test clock shows), password change,
// sign out everywhere, account deletion, and a refused refresh. Each test is one user's story.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import * as OTPAuth from 'otpauth';
import { browserHarness, chromiumMissing, PASSWORD } from './support.ts';

/** The code an authenticator shows now, by the server's clock (the API's TOTP: SHA1, 6 digits, 30 s). */
function totpCode(secret: string, timestamp: number): string {
  const totp = new OTPAuth.TOTP({
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
    secret: OTPAuth.Secret.fromBase32(secret),
  });
  return totp.generate({ timestamp });
}

describe('the account screens in Chromium, on a phone-sized screen', { skip: chromiumMissing ?? false }, () => {
  const h = browserHarness();

  test('a forgotten password is reset with the mailed code: the new one signs in, the old one is refused', async () => {
    const { s, page, shot, problems } = h;
    const email = 'reset@example.com';
    const newPassword = 'a brand new and unusual passphrase';
    await s.newUser(email);

    await page.goto(`${s.url}/signin`);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByRole('heading', { name: 'Forgot your password?' }).waitFor();
    await page.getByLabel('Email').fill(email);
    await shot('account-forgot-password');
    await page.getByRole('button', { name: 'Send the code' }).click();

    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    assert.equal(await page.getByLabel('Email').inputValue(), email, 'the email is carried over');
    await page.getByLabel('Code').fill(await s.mailedCode(email));
    await page.getByLabel(/^New password/).fill(newPassword);
    await shot('account-reset-password');
    await page.getByRole('button', { name: 'Change password' }).click();

    await page.getByText('Your password is changed: sign in with it').waitFor();
    assert.equal(await page.getByLabel('Email').inputValue(), email, 'the sign-in form has the email');
    await shot('account-sign-in-after-reset');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Incorrect email or password' }).waitFor();

    await page.getByLabel('Password').fill(newPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'To-dos' }).waitFor();
    assert.deepEqual(problems, [], 'no console errors');
  });

  test('two-step sign-in is turned on in the settings; a recovery code signs in once, a TOTP code too', async () => {
    const { s, page, shot, problems, context } = h;
    const email = 'mfa@example.com';
    await s.newUser(email);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: s.url });
    await h.signIn(email);

    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByRole('heading', { name: 'Account', exact: true }).waitFor();
    await page.getByText('Two-step sign-in is off').waitFor();
    await shot('account-settings');

    await page.getByRole('button', { name: 'Turn on two-step sign-in' }).click();
    await page.getByRole('img', { name: /QR code/ }).waitFor();
    const secret = (await page.getByLabel('Setup key').inputValue()).replace(/\s/g, '');
    assert.match(secret, /^[A-Z2-7]{32}$/, 'the setup key is shown as base32 text');
    await shot('account-mfa-setup');

    await page.getByLabel('6-digit code').fill('000000');
    await page.getByRole('button', { name: 'Turn on', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'The code is wrong' }).waitFor();
    await page.getByLabel('6-digit code').fill(totpCode(secret, s.clock.now()));
    await page.getByRole('button', { name: 'Turn on', exact: true }).click();

    const list = page.getByRole('list', { name: 'Recovery codes' });
    await list.waitFor();
    await page.getByText('they will not be shown again').waitFor();
    const codes = (await list.getByRole('listitem').allInnerTexts()).map((code) => code.trim());
    assert.equal(codes.length, 10, 'ten recovery codes are shown');
    for (const code of codes) assert.match(code, /^[A-Z0-9]{5}-[A-Z0-9]{5}$/);
    await shot('account-mfa-recovery-codes');

    await page.getByRole('button', { name: 'Copy' }).click();
    await page.getByRole('status').filter({ hasText: 'Copied' }).waitFor();
    assert.equal(await page.evaluate('navigator.clipboard.readText()'), codes.join('\n'), 'Copy copies the codes');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download .txt' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'stratus-recovery-codes.txt');
    const file = await readFile(await download.path(), 'utf8');
    for (const code of codes) assert.ok(file.includes(code), `the file holds ${code}`);

    await page.getByRole('button', { name: 'I saved them' }).click();
    await page.getByText('Two-step sign-in is on').first().waitFor();
    assert.equal(await list.count(), 0, 'the codes are gone once dismissed');
    const challenged = await s.request('POST', '/v1/auth/signin', { body: { email, password: PASSWORD } });
    assert.equal(challenged.body.challenge, 'SOFTWARE_TOKEN_MFA', 'the API now asks for a second factor');

    const signInUntilChallenge = async () => {
      await page.getByRole('button', { name: 'Sign out', exact: true }).click();
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByLabel('Email').fill(email);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Two-step sign-in' }).waitFor();
    };
    const [firstCode, secondCode] = codes as [string, string];
    await signInUntilChallenge();
    await shot('account-mfa-challenge');
    await page.getByLabel('Code').fill(firstCode.toLowerCase().replace('-', ''));
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'To-dos' }).waitFor();

    await signInUntilChallenge();
    await page.getByLabel('Code').fill(firstCode);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('alert').filter({ hasText: 'The code is wrong: check it and try again' }).waitFor();
    await shot('account-mfa-recovery-code-reused');

    // The step used to turn MFA on may not be replayed: the next step's code, as a phone would show it.
    s.clock.advance(30_000);
    await page.getByLabel('Code').fill(totpCode(secret, s.clock.now()));
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'To-dos' }).waitFor();

    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByLabel(/recovery code/).fill(secondCode);
    await shot('account-mfa-on');
    await page.getByRole('button', { name: 'Turn off' }).click();
    await page.getByText('Two-step sign-in is off').first().waitFor();
    const after = await s.request('POST', '/v1/auth/signin', { body: { email, password: PASSWORD } });
    assert.ok(after.body.accessToken, 'signing in asks for no code once MFA is off');
    assert.deepEqual(problems, [], 'no console errors');
  });

  test('the profile and password change; sign out everywhere ends every session; a deleted account cannot sign in', async () => {
    const { s, page, shot, problems } = h;
    const email = 'settings@example.com';
    const newPassword = 'another long and unusual passphrase';
    await s.newUser(email);
    const taken = await s.newUser('taken@example.com');
    await s.request('PATCH', '/v1/me', { token: taken.accessToken, body: { username: 'taken' } });
    await h.signIn(email);
    await page.getByRole('link', { name: 'Account' }).click();

    const profile = page.getByRole('form', { name: 'Profile' });
    await profile.getByLabel('Username').fill('taken');
    await profile.getByRole('button', { name: 'Save profile' }).click();
    await profile.getByRole('alert').filter({ hasText: 'The username taken is taken: choose another' }).waitFor();
    await profile.getByLabel('Username').fill('Ada-L');
    await profile.getByLabel('Bio').fill('Counts things.');
    await profile.getByLabel('Website').fill('https://ada.example.com');
    await profile.getByRole('button', { name: 'Save profile' }).click();
    await page.getByRole('status').filter({ hasText: 'Profile saved' }).waitFor();
    await page.getByRole('link', { name: '/u/ada-l' }).waitFor();
    assert.equal(await profile.getByLabel('Username').inputValue(), 'ada-l', 'the field shows the stored username');

    const password = page.getByRole('form', { name: 'Change password' });
    await password.getByLabel('Current password').fill(PASSWORD);
    await password.getByLabel(/^New password/).fill(newPassword);
    await password.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('status').filter({ hasText: 'Your password is changed' }).waitFor();
    assert.equal(await password.getByLabel('Current password').inputValue(), '', 'the password fields are emptied');
    await shot('account-settings-saved');

    // Another session of the same user, to prove "everywhere" reaches beyond this browser.
    const elsewhere = await s.request('POST', '/v1/auth/signin', { body: { email, password: newPassword } });
    assert.equal(elsewhere.status, 200, 'the new password signs in');
    await page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await page.getByText('You are signed out on every device').waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    const stale = await s.request('GET', '/v1/me', { token: elsewhere.body.accessToken });
    assert.equal(stale.status, 401, 'the other session was ended too');

    await h.signIn(email, newPassword);
    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByRole('button', { name: 'Delete my account…' }).click();
    const confirm = page.getByRole('form', { name: 'Confirm deleting your account' });
    const deleteButton = confirm.getByRole('button', { name: 'Delete my account and everything in it' });
    await deleteButton.click();
    await confirm.getByRole('alert').filter({ hasText: 'Type your email address or the word DELETE' }).waitFor();
    await confirm.getByLabel(/To confirm/).fill('someone-else@example.com');
    await deleteButton.click();
    await shot('account-delete-confirm');
    const still = await s.request('POST', '/v1/auth/signin', { body: { email, password: newPassword } });
    assert.equal(still.status, 200, 'nothing is deleted without the confirmation');

    await confirm.getByLabel(/To confirm/).fill(email.toUpperCase());
    await deleteButton.click();
    await page.getByText('Your account was deleted').waitFor();
    await shot('account-deleted');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(newPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Incorrect email or password' }).waitFor();
    assert.deepEqual(problems, [], 'no console errors');
  });

  test('a refresh the server refuses returns the user to sign-in with a message', async () => {
    const { s, page, shot, problems } = h;
    const email = 'revoked@example.com';
    const apiSession = await s.newUser(email);
    await h.signIn(email);

    const signOut = await s.request('POST', '/v1/auth/signout', { token: apiSession.accessToken });
    assert.equal(signOut.status, 200);
    await page.reload();
    await page.getByText('Your session has ended: sign in again').waitFor();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await shot('account-session-ended');
    assert.deepEqual(problems, [], 'no console errors');
  });
});
