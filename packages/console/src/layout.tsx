/** @jsxRuntime classic */
/** @jsx h */
/** @jsxFrag Fragment */
import { Fragment, h, type Child } from './html';

// The frame every console page shares (header, navigation, the config's generation), and the pages outside it.

/** What the console shows of the running configuration. */
export interface ConfigInfo {
  generation: number;
  loaded_at: string;
  last_error: string | null;
}

export type Page = 'backends' | 'catalog' | 'activity';

export function Layout(props: {
  title: string;
  page: Page | undefined;
  config: ConfigInfo;
  user: string | null;
  canReload: boolean;
  notice?: string | undefined;
  children: Child;
}) {
  const link = (page: Page, label: string) => (
    <a href={page === 'backends' ? '/ui' : `/ui/${page}`} class={props.page === page ? 'active' : undefined}>
      {label}
    </a>
  );
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · MCP Gateway`}</title>
        <link rel="stylesheet" href="/ui/assets/console.css" />
        <script src="/ui/assets/console.js" defer></script>
      </head>
      <body>
        <header>
          <a class="brand" href="/ui">
            MCP Gateway
          </a>
          <nav>
            {link('backends', 'Backends')}
            {link('catalog', 'Catalog')}
            {link('activity', 'Activity')}
          </nav>
          <div class="header-right">
            <ConfigBadge config={props.config} />
            {props.canReload ? (
              <form method="post" action="/ui/reload">
                <button type="submit">Reload config</button>
              </form>
            ) : null}
            {props.user ? (
              <form method="post" action="/ui/logout">
                <button type="submit" class="quiet" title={`Signed in as ${props.user}`}>
                  Sign out
                </button>
              </form>
            ) : null}
          </div>
        </header>
        <main>
          {props.notice ? <p class="notice">{props.notice}</p> : null}
          {props.children}
        </main>
      </body>
    </html>
  );
}

export function ConfigBadge({ config }: { config: ConfigInfo }) {
  return (
    <span id="config" class={config.last_error ? 'config failed' : 'config'} title={config.last_error ?? ''}>
      config #{config.generation}
      <span class="dim"> · loaded {time(Date.parse(config.loaded_at))}</span>
      {config.last_error ? <span class="badge degraded">last reload refused</span> : null}
    </span>
  );
}

export function LoginPage({ failed }: { failed: boolean }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Sign in · MCP Gateway</title>
        <link rel="stylesheet" href="/ui/assets/console.css" />
      </head>
      <body class="login">
        <form method="post" action="/ui/login" class="card">
          <h1>MCP Gateway</h1>
          <p class="dim">The console is for clients with the admin role.</p>
          {failed ? <p class="notice">Those credentials do not belong to an admin client.</p> : null}
          <label>
            API key or access token
            <input type="password" name="token" autocomplete="off" required autofocus />
          </label>
          <button type="submit">Sign in</button>
        </form>
      </body>
    </html>
  );
}

export function NotFoundPage({ what }: { what: string }) {
  return (
    <>
      <h1>Not found</h1>
      <p>{what}</p>
    </>
  );
}

/** The time of day (UTC) of `ms`. */
export function time(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}
