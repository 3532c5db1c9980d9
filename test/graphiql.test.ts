import { readFile } from 'node:fs/promises';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertInput, createAlertMutation } from './fixtures.ts';
import { demoUsers, launchTestBrowser, startTestHub, type TestBrowser, type TestHub } from './helpers.ts';

// GraphiQL as a newcomer uses it, in a real Chromium (the one @sparticuz/chromium
// ships in its npm package), on a machine with no route to the internet: every
// request to another host than the hub's is failed and recorded.

// Generous: a slow machine shared by several test runs parses a 9 MB page.
const slow = { timeout: 90_000 };

let hub: TestHub;
let browser: TestBrowser;
let page: Page;

/** The README's tour: its headers (with a real token) and first query. */
async function readmeExample(token: string) {
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
  const tour = readme.indexOf('## A short tour');
  expect(tour).toBeGreaterThan(-1);
  const tryIt = readme.slice(tour);
  const headers = /```json\n(.*)\n```/.exec(tryIt)![1]!.replace('<token of xk-border-officer>', token);
  const query = /```graphql\n([\s\S]*?)```/.exec(tryIt)![1]!;
  return { headers, query };
}

/**
 * Replaces an editor's text by typing, as a person does: once the editor has
 * the focus, and done when it shows the text. On one line, so that the
 * editor's auto-indentation cannot get in the way.
 */
async function typeInto(editor: string, text: string) {
  const line = text.replace(/\s+/g, ' ').trim();
  // On a loaded machine a click can land before the editor takes it: click again until it has the focus.
  for (let attempt = 1; ; attempt++) {
    await page.click(editor);
    const focused = await page
      .waitForFunction((selector: string) => document.querySelector(selector)?.contains(document.activeElement), { timeout: 10_000 }, editor)
      .then(() => true, () => false);
    if (focused) break;
    if (attempt === 9) throw new Error(`${editor} never took the focus`);
  }
  await page.keyboard.down('Control');
  await page.keyboard.press('KeyA');
  await page.keyboard.up('Control');
  await page.keyboard.press('Backspace');
  await page.keyboard.type(line);
  await page.waitForFunction(
    (selector: string, expected: string) =>
      (document.querySelector(`${selector} .view-lines`)?.textContent ?? '').replace(/\u00a0/g, ' ') === expected,
    slow,
    editor,
    line,
  );
}

beforeAll(async () => {
  hub = await startTestHub({ graphiql: true });
  await hub.query('xk-border-officer', createAlertMutation, { input: alertInput() });
  browser = await launchTestBrowser();
  page = browser.page;
}, 180_000);

afterAll(async () => {
  await browser?.[Symbol.asyncDispose]();
  await hub?.[Symbol.asyncDispose]();
});

describe('GraphiQL', () => {
  it("runs the README's first query with a demo token, loading nothing from the internet", async () => {
    const { headers, query } = await readmeExample(await hub.token('xk-border-officer'));
    let text: string;
    try {
      await page.goto(hub.gatewayUrl.href, { waitUntil: 'load', ...slow });
      await page.waitForSelector('.graphiql-query-editor .monaco-editor', { visible: true, ...slow });

      await page.click('.graphiql-editor-tools button[data-name="headers"]');
      const headersEditor = '.graphiql-editor-tool .monaco-editor[data-uri$="headers.json"]';
      await page.waitForSelector(headersEditor, { visible: true, ...slow });
      await typeInto(headersEditor, headers);
      await typeInto('.graphiql-query-editor .monaco-editor', query);
      await page.click('.graphiql-execute-button');

      const answered = await page.waitForFunction(() => {
        const shown = document.querySelector('.graphiql-response')?.textContent ?? '';
        return shown.includes('"alerts"') ? shown : false;
      }, slow);
      // The pane shows the lines in view (with no-break spaces): the answer begins with the viewer and the first alert.
      text = String(await answered.jsonValue()).replace(/\u00a0/g, ' ');
    } catch (error) {
      const shown = await page.evaluate(() => document.body?.innerText ?? '').catch(() => '');
      throw new Error(`GraphiQL showed no answer. Requests to other hosts: ${browser.foreignRequests.join(', ') || 'none'}. Page: ${shown.slice(0, 500)}`, {
        cause: error,
      });
    } finally {
      await browser.screenshot('graphiql');
    }

    expect(text).toContain(`"sub": "${demoUsers['xk-border-officer'].sub}"`);
    expect(text).toContain('"reference": "XK-ALR-2026-000001"');
    expect(text).toContain('"borderCrossing": "HANI_I_ELEZIT_BLACE"');
    expect(text).not.toContain('"errors"');
    expect(browser.foreignRequests).toEqual([]);
  }, 240_000);
});
