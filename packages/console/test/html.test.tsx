/** @jsxRuntime classic */
/** @jsx h */
/** @jsxFrag Fragment */
import { AsyncLocalStorage } from 'node:async_hooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Fragment, h, type Child } from '../src/html';
import { Layout, LoginPage } from '../src/layout';
import { ToolPage } from '../src/pages';

afterEach(() => vi.restoreAllMocks());

describe('the console’s JSX', () => {
  it('escapes what a backend says, in text and in attributes', () => {
    const tool = { name: '<b>x</b>', description: '"><script>alert(1)</script>', inputSchema: {} };
    const page = String(<ToolPage backend={`a"b'c&`} tool={tool} />);
    expect(page).not.toContain('<script>');
    expect(page).toContain('&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('<h1>&lt;b&gt;x&lt;/b&gt;</h1>');
    expect(page).toContain('href="/ui/catalog#a&quot;b&#39;c&amp;"');
  });

  it('renders attributes, void elements, fragments and components with children', () => {
    const Box = (props: { title: string; children?: Child }) => (
      <div title={props.title}>{props.children}</div>
    );
    const markup = (
      <>
        <input type="password" required autofocus={false} name={undefined} />
        <Box title="t">
          {['a', 1, null, false, true, undefined]}
          <br />
        </Box>
      </>
    );
    expect(String(markup)).toBe('<input type="password" required><div title="t">a1<br></div>');
  });

  it('renders every page without an AsyncLocalStorage, whose promise hook would slow every later call', () => {
    const run = vi.spyOn(AsyncLocalStorage.prototype, 'run');
    const enter = vi.spyOn(AsyncLocalStorage.prototype, 'enterWith');
    const config = { generation: 1, loaded_at: new Date(0).toISOString(), last_error: null };
    const page = String(
      <Layout title="t" page="backends" config={config} user="admin" canReload={true}>
        <LoginPage failed={true} />
      </Layout>,
    );
    expect(page).toContain('<title>t · MCP Gateway</title>');
    expect(run).not.toHaveBeenCalled();
    expect(enter).not.toHaveBeenCalled();
  });
});
