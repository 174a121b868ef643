// The Social screens in Chromium, against a real Stratus serving the GraphQL API at /graphql and
// its subscriptions over a WebSocket: two people, each in a browser profile of their own, follow,
// post with a photo, comment and like, and what one does shows on the other's open page without
// a reload. Also: the composer's limit, one's own profile without a Follow button, and axe's
// WCAG 2.1 AA checks on the feed, a post page and the story viewer.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { smallPng } from '../support/images.ts';
import type { TestStratus } from '../support/stratus.ts';
import { seriousViolations } from './axe.ts';
import { browserHarness, chromiumMissing, PASSWORD } from './support.ts';

const SCREENSHOTS = join(import.meta.dirname, '..', '..', '.artifacts', 'screenshots');
/** A confirmed user with a username and a display name; returns the access token. */
async function person(s: TestStratus, email: string, name: string, username: string): Promise<string> {
  const { accessToken } = await s.newUser(email, PASSWORD, name);
  const named = await s.request('PATCH', '/v1/me', { token: accessToken, body: { username } });
  assert.equal(named.status, 200, JSON.stringify(named.body));
  return accessToken;
}

/** One GraphQL request straight to the API, for setting up and checking state. */
async function graphql<T>(s: TestStratus, token: string, query: string, variables = {}): Promise<T> {
  const reply = await s.request('POST', '/graphql', { token, body: { query, variables } });
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  assert.equal(reply.body.errors, undefined, JSON.stringify(reply.body.errors));
  return reply.body.data as T;
}

/** A second person's browser profile on the same Chromium, phone-sized, with its own problem list. */
async function secondBrowser(browser: Browser) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && !/status of 4\d\d/.test(message.text())) {
      problems.push(`console: ${message.text()}`);
    }
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  return { context, page, problems };
}

async function signInOn(page: Page, s: TestStratus, email: string): Promise<void> {
  await page.goto(`${s.url}/signin`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'To-dos' }).waitFor();
}

async function openSocial(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Social' }).click();
  await page.getByRole('heading', { name: 'Social', level: 1 }).waitFor();
  await page.getByRole('heading', { name: 'Your feed' }).waitFor();
}

/** What the test reads of an <img> (the test code is type-checked without the DOM). */
interface ShownImage {
  naturalWidth: number;
  complete: boolean;
}

/** Waits until every picture in `images` has loaded. */
async function picturesLoaded(images: Locator, count: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const widths = await images.evaluateAll((nodes) =>
      (nodes as unknown as ShownImage[]).map((node) => (node.complete ? node.naturalWidth : 0)),
    );
    if (widths.length === count && widths.every((width) => width > 0)) return;
    assert.ok(Date.now() < deadline, `expected ${count} loaded pictures, saw widths ${JSON.stringify(widths)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the Social screens in Chromium, two people on phone-sized screens', {
  skip: chromiumMissing ?? false,
}, () => {
  const h = browserHarness();

  test('B follows A; A posts with a photo; B sees it, comments and likes, and A’s open post page shows both live', async () => {
    const { s, page, shot, problems } = h;
    await person(s, 'ada.author@example.com', 'Ada Author', 'ada');
    await person(s, 'ben.reader@example.com', 'Ben Reader', 'ben');
    const browser = h.context.browser();
    assert.ok(browser, 'the harness runs on a browser');
    const b = await secondBrowser(browser);
    try {
      // B finds A by username and follows.
      await signInOn(b.page, s, 'ben.reader@example.com');
      await openSocial(b.page);
      await b.page.getByLabel('Find by username').fill('@ada');
      await b.page.getByRole('button', { name: 'Find', exact: true }).click();
      await b.page.getByRole('heading', { name: 'Ada Author', level: 1 }).waitFor();
      const follow = b.page.getByRole('button', { name: 'Follow' });
      assert.equal(await follow.getAttribute('aria-pressed'), 'false');
      await follow.click();
      await b.page.getByRole('status').filter({ hasText: 'You follow Ada Author.' }).waitFor();
      assert.equal(await follow.getAttribute('aria-pressed'), 'true');
      await b.page.getByRole('link', { name: '1 follower', exact: true }).waitFor();
      // Kept by the API: a fresh read still says so.
      await b.page.reload();
      await b.page.getByRole('heading', { name: 'Ada Author', level: 1 }).waitFor();
      assert.equal(await b.page.getByRole('button', { name: 'Follow' }).getAttribute('aria-pressed'), 'true');
      await b.page.screenshot({ path: join(SCREENSHOTS, 'social-profile-followed.png'), fullPage: true });

      // B waits on the feed; A posts with one photo.
      await b.page.getByRole('link', { name: 'Back to the feed' }).click();
      await b.page.getByRole('heading', { name: 'Your feed' }).waitFor();
      await b.page.getByText('Nothing here yet').waitFor();

      await h.signIn('ada.author@example.com');
      await openSocial(page);
      const composer = page.getByRole('form', { name: 'New post' });
      await composer.getByLabel('What’s new?').fill('Hello from A');
      await composer
        .getByLabel('Add photos')
        .setInputFiles({ name: 'red.png', mimeType: 'image/png', buffer: await smallPng() });
      const attached = composer.getByRole('list', { name: 'Photos for this post' });
      await attached.getByRole('progressbar', { name: 'red.png' }).waitFor();
      await attached.getByText('Ready').waitFor({ timeout: 15_000 });
      await shot('social-composer-ready');
      await composer.getByRole('button', { name: 'Post' }).click();
      const feedA = page.getByRole('list', { name: 'Your feed' });
      const postA = feedA.getByRole('article').filter({ hasText: 'Hello from A' });
      await postA.waitFor();
      assert.equal(await composer.getByLabel('What’s new?').inputValue(), '', 'the composer is empty again');
      await picturesLoaded(postA.getByRole('img'), 1);
      // Her own post also reaches her feed live: it is already shown, so it is not announced as new.
      await page.waitForTimeout(300);
      assert.equal(
        await page.getByRole('button', { name: /new posts? — show/ }).count(),
        0,
        'no notice of one’s own post',
      );
      await shot('social-feed-posted');

      // A opens the post page and keeps it open.
      await postA.getByRole('link', { name: '0 comments' }).click();
      await page.waitForURL(/\/social\/post\/[^/]+$/);
      await page.getByRole('heading', { name: 'Comments' }).waitFor();
      await page.evaluate('window.stillTheSamePage = true');

      // B's open feed hears of the post and shows it on request.
      const newPosts = b.page.getByRole('button', { name: '1 new post — show' });
      await newPosts.waitFor({ timeout: 10_000 });
      await b.page.screenshot({ path: join(SCREENSHOTS, 'social-feed-new-posts.png'), fullPage: true });
      await newPosts.click();
      const postB = b.page
        .getByRole('list', { name: 'Your feed' })
        .getByRole('article')
        .filter({ hasText: 'Hello from A' });
      await postB.waitFor();
      await postB.getByRole('link', { name: 'Ada Author @ada', exact: true }).waitFor();
      await picturesLoaded(postB.getByRole('img'), 1);

      // B comments on the post page; A sees it arrive.
      await postB.getByRole('link', { name: '0 comments' }).click();
      await b.page.getByRole('heading', { name: 'Comments' }).waitFor();
      await b.page.getByLabel('Your comment').fill('Nice one, A!');
      await b.page.getByRole('button', { name: 'Comment', exact: true }).click();
      const commentsA = page.getByRole('list', { name: 'Comments' });
      await commentsA.getByText('Nice one, A!').waitFor({ timeout: 10_000 });
      await commentsA.getByRole('link', { name: /Ben Reader/ }).waitFor();
      await page.getByRole('link', { name: '1 comment', exact: true }).waitFor();
      await page.getByRole('status').filter({ hasText: 'Ben Reader commented.' }).waitFor();
      // B's own comment came back twice (the answer and the live feed): it shows once.
      const commentsB = b.page.getByRole('list', { name: 'Comments' });
      await commentsB.getByText('Nice one, A!').waitFor();
      await b.page.waitForTimeout(500);
      assert.equal(await commentsB.getByRole('listitem').count(), 1, 'one comment on B’s page');
      await b.page.getByRole('link', { name: '1 comment', exact: true }).waitFor();

      // B likes; A's page counts it.
      const like = b.page.getByRole('button', { name: 'Like' });
      assert.equal(await like.getAttribute('aria-pressed'), 'false');
      await like.click();
      assert.equal(await like.getAttribute('aria-pressed'), 'true');
      await b.page.getByText('1 like', { exact: true }).waitFor();
      await page.getByText('1 like', { exact: true }).waitFor({ timeout: 10_000 });
      assert.equal(await page.evaluate('window.stillTheSamePage'), true, 'A’s page was never reloaded');
      assert.equal(await commentsA.getByRole('listitem').count(), 1, 'one comment on A’s page');
      await shot('social-post-live');
      await b.page.screenshot({ path: join(SCREENSHOTS, 'social-post-commented.png'), fullPage: true });

      assert.deepEqual(b.problems, []);
    } finally {
      await b.context.close();
    }
    assert.deepEqual(problems, []);
  });

  test('the composer refuses a post over 2,200 characters, and one’s own profile has no Follow button', async () => {
    const { s, page, shot, problems } = h;
    await person(s, 'cy.counter@example.com', 'Cy Counter', 'cycounter');
    await h.signIn('cy.counter@example.com');
    await openSocial(page);

    const composer = page.getByRole('form', { name: 'New post' });
    const text = composer.getByLabel('What’s new?');
    const post = composer.getByRole('button', { name: 'Post' });
    assert.equal(await post.isDisabled(), true, 'nothing to post yet');
    await text.fill('x'.repeat(2201));
    await composer.getByText('1 character over the limit of 2,200').waitFor();
    assert.equal(await post.isDisabled(), true, 'too long to post');
    assert.equal(await text.getAttribute('aria-invalid'), 'true');
    await shot('social-composer-too-long');
    await text.fill('x'.repeat(2200));
    await composer.getByText('0 of 2,200 characters left').waitFor();
    assert.equal(await post.isEnabled(), true, 'exactly at the limit is fine');

    // The API holds the same limit: refused in its words.
    const { accessToken: token } = (
      await s.request('POST', '/v1/auth/signin', { body: { email: 'cy.counter@example.com', password: PASSWORD } })
    ).body;
    const refused = await s.request('POST', '/graphql', {
      token,
      body: {
        query: 'mutation($input: CreatePostInput!) { createPost(input: $input) { id } }',
        variables: { input: { text: 'x'.repeat(2201) } },
      },
    });
    assert.equal(refused.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(refused.body));

    await page.getByRole('link', { name: 'Your profile' }).click();
    await page.getByRole('heading', { name: 'Cy Counter', level: 1 }).waitFor();
    await page.getByText('@cycounter', { exact: true }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Follow' }).count(), 0, 'no Follow on one’s own profile');
    const edit = page.getByRole('link', { name: 'Edit your profile' });
    assert.equal(await edit.getAttribute('href'), '/account');
    await page.getByText('No posts yet.').waitFor();
    await shot('social-own-profile');
    assert.deepEqual(problems, []);
  });

  test('the feed loads more as it scrolls and with Load more; an author deletes a comment, then the post, after confirming', async () => {
    const { s, page, shot, problems } = h;
    const token = await person(s, 'dee.pages@example.com', 'Dee Pages', 'deepages');
    const eve = await person(s, 'eve.commenter@example.com', 'Eve Commenter', 'evecomments');
    const create = 'mutation($input: CreatePostInput!) { createPost(input: $input) { id } }';
    let newest = '';
    for (let n = 1; n <= 25; n++) {
      newest = (
        await graphql<{ createPost: { id: string } }>(s, token, create, { input: { text: `Post number ${n}` } })
      ).createPost.id;
    }
    await graphql(
      s,
      eve,
      'mutation($postId: ID!, $text: String!) { addComment(postId: $postId, text: $text) { id } }',
      {
        postId: newest,
        text: 'First!',
      },
    );

    await h.signIn('dee.pages@example.com');
    await openSocial(page);
    const posts = page.getByRole('list', { name: 'Your feed' }).getByRole('article');
    await posts.filter({ hasText: 'Post number 25' }).waitFor();
    assert.equal(await posts.count(), 10, 'ten posts a page');
    // Scrolling near the end loads the next page by itself…
    await page.getByRole('button', { name: 'Load more' }).scrollIntoViewIfNeeded();
    await posts.filter({ hasText: 'Post number 15' }).waitFor();
    assert.equal(await posts.count(), 20);
    // …and the button does the same for a keyboard.
    await page.getByRole('button', { name: 'Load more' }).focus();
    await page.keyboard.press('Enter');
    await posts.getByText('Post number 1', { exact: true }).waitFor();
    assert.equal(await posts.count(), 25);
    await page.waitForFunction(`!document.querySelector('[aria-busy="true"]')`);
    assert.equal(await page.getByRole('button', { name: 'Load more' }).count(), 0, 'nothing more to load');

    // The author may delete another's comment on her post, and the post itself.
    await posts.filter({ hasText: 'Post number 25' }).getByRole('link', { name: '1 comment', exact: true }).click();
    const comments = page.getByRole('list', { name: 'Comments' });
    await comments.getByText('First!').waitFor();
    await comments.getByRole('button', { name: /^Delete the comment by Eve Commenter/ }).click();
    await comments.getByRole('group', { name: 'Delete this comment?' }).waitFor();
    await shot('social-delete-comment');
    await comments.getByRole('button', { name: 'Delete comment' }).click();
    await page.getByText('No comments yet.').waitFor();
    await page.getByRole('link', { name: '0 comments', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Delete post' }).click();
    await page.getByRole('group', { name: /Delete this post\?/ }).waitFor();
    await page.getByRole('button', { name: 'Delete post' }).click();
    await page.waitForURL(`${s.url}/social`);
    await posts.filter({ hasText: 'Post number 24' }).waitFor();
    assert.equal(await posts.filter({ hasText: 'Post number 25' }).count(), 0, 'the post is gone');
    const { post } = await graphql<{ post: unknown }>(s, token, 'query($id: ID!) { post(id: $id) { id } }', {
      id: newest,
    });
    assert.equal(post, null, 'the API deleted it');
    assert.deepEqual(problems, []);
  });
});

describe('the Social screens pass axe’s WCAG 2.1 AA checks', { skip: chromiumMissing ?? false }, () => {
  const h = browserHarness({ bypassCSP: true });

  test('the feed with stories and posts, the story viewer, and a post page with comments', async () => {
    const { s, page, shot, problems } = h;
    const token = await person(s, 'axe.social@example.com', 'Axe Social', 'axesocial');
    const { createPost } = await graphql<{ createPost: { id: string } }>(
      s,
      token,
      'mutation($input: CreatePostInput!) { createPost(input: $input) { id } }',
      { input: { text: 'A post to check' } },
    );
    await graphql(
      s,
      token,
      'mutation($postId: ID!, $text: String!) { addComment(postId: $postId, text: $text) { id } }',
      {
        postId: createPost.id,
        text: 'A comment to check',
      },
    );
    await h.signIn('axe.social@example.com');
    await openSocial(page);
    await page
      .getByRole('list', { name: 'Your feed' })
      .getByRole('article')
      .filter({ hasText: 'A post to check' })
      .waitFor();

    // A story added through the bar, then watched.
    await page.getByRole('button', { name: 'Add story' }).click();
    const storyForm = page.getByRole('form', { name: 'Add story' });
    await storyForm.getByLabel('Story text').fill('Morning!');
    await storyForm.getByRole('button', { name: 'Share story' }).click();
    await storyForm.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: /Your story.*1 new/ }).waitFor();
    await page.waitForFunction(`!document.querySelector('[aria-busy="true"]')`);
    assert.deepEqual(await seriousViolations(page), [], '/social');
    await shot('social-feed');

    await page.getByRole('button', { name: /Your story/ }).click();
    const viewer = page.getByRole('dialog', { name: 'Your story, 1 of 1' });
    await viewer.getByText('Morning!').waitFor();
    assert.deepEqual(await seriousViolations(page), [], 'the story viewer');
    await shot('social-story');
    await page.keyboard.press('Escape');
    await viewer.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: /Your story.*all seen/ }).waitFor();

    await page.goto(`${s.url}/social/post/${createPost.id}`);
    await page.getByRole('list', { name: 'Comments' }).getByText('A comment to check').waitFor();
    await page.waitForFunction(`!document.querySelector('[aria-busy="true"]')`);
    assert.deepEqual(await seriousViolations(page), [], 'the post page');
    await shot('social-post');
    assert.deepEqual(problems, []);
  });
});
