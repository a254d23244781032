/// <reference lib="dom" />
// The DOM types: the functions given to page.evaluate run in the browser.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { freePort } from '@mcp-gateway/examples';
import { debianProgram, root, waitFor } from '../deploy/helpers';

/** Where the screenshots go (the README shows one); CI keeps them as artefacts of the run. */
const SHOTS = join(root, 'test/console/screenshots');

interface BackendHealth {
  state: string;
  pid: number | null;
  tools_cached: number;
}

let gateway: ChildProcess;
let base: string;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  // Debian's chromium, driven by playwright-core: no browser is downloaded.
  const executablePath = await debianProgram('chromium', 'chromium');
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  // The README's first command, from source, on the example config (its state in a fresh folder).
  gateway = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'apps/gateway/src/bin.ts',
      '--config',
      'examples/servers.yaml',
      '--port',
      String(port),
    ],
    {
      cwd: root,
      env: { ...process.env, XDG_STATE_HOME: mkdtempSync(join(tmpdir(), 'mcpgw-console-')) },
      stdio: 'ignore',
      detached: true,
    },
  );
  await waitFor(
    'every backend learned',
    async () => {
      const health = (await (await fetch(`${base}/health`)).json()) as {
        backends: Record<string, BackendHealth>;
      };
      return Object.values(health.backends).every((b) => b.tools_cached > 0) ? true : undefined;
    },
    60_000,
  );
  browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  mkdirSync(SHOTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  if (gateway?.pid) {
    const exited = new Promise((resolve) => gateway.once('exit', resolve));
    process.kill(-gateway.pid, 'SIGTERM');
    await exited;
  }
});

const health = async () =>
  ((await (await fetch(`${base}/health`)).json()) as { backends: Record<string, BackendHealth> }).backends;

describe('the web console in a real browser (chromium)', () => {
  it('shows the three backends of the example config and their tool counts', async () => {
    const response = await page.goto(`${base}/`);
    expect(page.url()).toBe(`${base}/ui`);
    expect(response?.headers()['content-security-policy']).toContain("default-src 'self'");
    const counts = await health();
    for (const name of ['everything', 'memory', 'filesystem']) {
      const row = page.locator(`#backend-${name}`);
      await expect(row.locator('.name').textContent()).resolves.toBe(name);
      await expect(row.locator('.tools').textContent()).resolves.toBe(String(counts[name]!.tools_cached));
    }
    expect(counts.everything!.tools_cached).toBeGreaterThan(5);
    await page.screenshot({ path: join(SHOTS, 'backends.png') });
  });

  it('searches the catalog with the gateway_search_tools ranking and says why each tool matched', async () => {
    await page.goto(`${base}/ui/catalog`);
    await page.fill('input[name=q]', 'create entities in the knowledge graph');
    await page.click('form.search button');
    await page.waitForSelector('.results');
    const first = await page.locator('.results li').first();
    await expect(first.locator('.name').textContent()).resolves.toBe('memory/create_entities');
    const chips = await first.locator('.why .chip').allTextContents();
    expect(chips).toEqual(expect.arrayContaining(['create', 'entities']));
    await page.screenshot({ path: join(SHOTS, 'catalog.png') });

    await first.locator('.name').click();
    await page.waitForSelector('h1:has-text("create_entities")');
    await expect(page.locator('pre').first().textContent()).resolves.toContain('"entities"');
    await page.screenshot({ path: join(SHOTS, 'tool.png') });
  });

  it('sees a crashed backend go degraded and back to ready, live, without reloading the page', async () => {
    // Start memory with a call, as a client would; the call shows on the activity page too.
    const client = new Client({ name: 'console-test', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp/memory`)));
    await client.callTool({ name: 'read_graph', arguments: {} });
    await client.close();

    await page.goto(`${base}/ui`);
    await page.waitForSelector('#backend-memory[data-state=ready]');
    await page.waitForSelector('.live.on');
    // Every state the row shows from now on, in order; a page reload would lose this.
    await page.evaluate(() => {
      const seen: string[] = [];
      Object.assign(window, { seen });
      new MutationObserver(() => {
        const state = document.querySelector<HTMLElement>('#backend-memory')?.dataset.state;
        if (state && seen.at(-1) !== state) seen.push(state);
      }).observe(document.querySelector('table.backends tbody')!, { childList: true, subtree: true });
    });
    const { pid } = (await health()).memory!;
    process.kill(pid!, 'SIGKILL');
    await page.waitForFunction(() => (window as unknown as { seen: string[] }).seen.includes('degraded'));
    await page.screenshot({ path: join(SHOTS, 'degraded.png') });
    await page.waitForFunction(
      () => (window as unknown as { seen: string[] }).seen.at(-1) === 'ready',
      undefined,
      { timeout: 15_000 },
    );
    const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    expect(seen.indexOf('degraded')).toBeLessThan(seen.lastIndexOf('ready'));
    await expect(page.locator('#backend-memory .restarts').textContent()).resolves.toBe('1');

    await page.goto(`${base}/ui/activity`);
    const calls = await page.locator('#activity tr').allTextContents();
    expect(calls.some((line) => line.includes('memory') && line.includes('read_graph'))).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'activity.png') });
  });
});
