/** @jsxRuntime classic */
/** @jsx h */
/** @jsxFrag Fragment */
import { randomBytes } from 'node:crypto';
import { Hono, type Context, type Next } from 'hono';
import { getCookie, setCookie, deleteCookie } from 'hono/cookie';
import type { BackendRegistry, Catalog, ClientIdentity, LogFields } from '@mcp-gateway/core';
import type { ActivityRing } from './activity';
import { CSS, SCRIPT } from './assets';
import { ConfigBadge, Layout, LoginPage, NotFoundPage, type ConfigInfo } from './layout';
import { LiveUpdates } from './live';
import {
  ActivityLine,
  ActivityPage,
  BackendLine,
  BackendsPage,
  CatalogPage,
  Summary,
  ToolPage,
  type BackendRow,
  type ConsoleHit,
} from './pages';
import { h } from './html';

export interface ConsoleOptions {
  registry: BackendRegistry;
  catalog: Catalog;
  /** The ranking `gateway_search_tools` runs, with why each tool matched. */
  search: (query: string, limit: number) => ConsoleHit[];
  activity: ActivityRing;
  config: () => ConfigInfo;
  /** Reloads the configuration (a refused reload leaves its reason in `config().last_error`). */
  reload?: () => Promise<void>;
  /**
   * Verifies an `Authorization` header value; undefined when authentication is off now (then every request is
   * served: the app serves the console only on loopback binds in that case).
   */
  authenticator?: () =>
    ((request: Request, authorization: string) => Promise<ClientIdentity | undefined>) | undefined;
  /** The role a client needs (`admin`). */
  adminRole?: string;
  /** Told of every action taken in the console (sign-in, sign-out, reload), for the audit log. */
  audit?: (action: string, fields: LogFields) => void;
}

const COOKIE = 'mcpgw_console';
/** Signed-in browsers kept at once, and for how long. */
const MAX_LOGINS = 1000;
const LOGIN_TTL_S = 12 * 3600;
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

type Env = { Variables: { user: ClientIdentity | null } };

/**
 * The web console under `/ui`: backends (live), the catalog with the gateway's own search, a tool's page, recent
 * calls (live), and a reload action. Pages are rendered on the server; a small script applies live updates from
 * `/ui/events` (Server-Sent Events). Mount it with `app.route('/', console.app)`.
 *
 * @example const console = createConsole({ registry, catalog, search, activity, config: () => status })
 */
export function createConsole(options: ConsoleOptions): { app: Hono<Env>; close(): void } {
  const adminRole = options.adminRole ?? 'admin';
  const audit = options.audit ?? (() => {});
  const live = new LiveUpdates();
  /** Signed-in browsers: cookie value → the credential they signed in with (checked again on every request). */
  const logins = new Map<string, { authorization: string; expires: number }>();
  const app = new Hono<Env>();

  const rows = (): BackendRow[] => {
    const health = options.registry.health();
    return options.registry
      .list()
      .filter((b) => health[b.name])
      .map((b) => ({ name: b.name, description: b.description, health: health[b.name]! }));
  };
  const backendChanged = (name: string) => {
    if (live.size === 0) return;
    const row = rows().find((r) => r.name === name);
    if (!row) return;
    live.send('backend', {
      id: `backend-${name}`,
      html: String(<BackendLine row={row} />),
      summary: String(<Summary rows={rows()} />),
    });
  };
  const unsubscribe = [
    options.registry.onStateChange?.((name) => backendChanged(name)) ?? (() => {}),
    options.catalog.onChange((name) => backendChanged(name)),
    options.activity.onRecord((call) => {
      if (live.size > 0) live.send('call', { html: String(<ActivityLine call={call} />) });
    }),
  ];

  const page = (
    c: Context<Env>,
    title: string,
    active: Parameters<typeof Layout>[0]['page'],
    body: unknown,
  ) =>
    c.html(
      `<!doctype html>${String(
        <Layout
          title={title}
          page={active}
          config={options.config()}
          user={c.get('user')?.name ?? null}
          canReload={options.reload !== undefined}
          notice={noticeFor(c.req.query('notice'), options.config())}
        >
          {body as never}
        </Layout>,
      )}`,
    );

  app.use('/ui/*', async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(name, value);
  });
  app.get('/ui/assets/console.css', (c) => c.body(CSS, 200, { 'content-type': 'text/css; charset=utf-8' }));
  app.get('/ui/assets/console.js', (c) =>
    c.body(SCRIPT, 200, { 'content-type': 'text/javascript; charset=utf-8' }),
  );
  app.get('/ui/login', (c) => c.html(`<!doctype html>${String(<LoginPage failed={false} />)}`));
  app.post('/ui/login', sameOrigin, async (c) => {
    const verify = options.authenticator?.();
    if (!verify) return c.redirect('/ui', 303);
    const form = await c.req.parseBody();
    const token = typeof form.token === 'string' ? form.token.trim() : '';
    const authorization = `Bearer ${token}`;
    const identity = token ? await verify(c.req.raw, authorization) : undefined;
    if (!identity || !identity.roles.includes(adminRole)) {
      audit('console.sign_in_refused', identity ? { client: identity.name, reason: 'not an admin' } : {});
      return c.html(`<!doctype html>${String(<LoginPage failed={true} />)}`, 401);
    }
    for (const [id, login] of logins)
      if (login.expires < Date.now() || logins.size >= MAX_LOGINS) logins.delete(id);
    const id = randomBytes(32).toString('base64url');
    logins.set(id, { authorization, expires: Date.now() + LOGIN_TTL_S * 1000 });
    setCookie(c, COOKIE, id, {
      path: '/ui',
      httpOnly: true,
      sameSite: 'Strict',
      secure: isHttps(c),
      maxAge: LOGIN_TTL_S,
    });
    audit('console.sign_in', { client: identity.name });
    return c.redirect('/ui', 303);
  });

  // Everything below needs an admin client when authentication is on.
  app.use('/ui/*', async (c, next) => {
    const verify = options.authenticator?.();
    if (!verify) {
      c.set('user', null);
      return next();
    }
    const cookie = getCookie(c, COOKIE);
    const login = cookie ? logins.get(cookie) : undefined;
    const authorization = c.req.header('authorization') ?? login?.authorization;
    const identity = authorization ? await verify(c.req.raw, authorization) : undefined;
    if (!identity) {
      if (cookie) logins.delete(cookie); // a rotated key or an expired token ends the sign-in
      return c.req.method === 'GET' && c.req.header('accept')?.includes('text/html')
        ? c.redirect('/ui/login', 303)
        : c.text('Authentication required: sign in at /ui/login.', 401);
    }
    if (!identity.roles.includes(adminRole))
      return c.text(`Forbidden: the console is for clients with the ${adminRole} role.`, 403);
    c.set('user', identity);
    return next();
  });
  app.post('/ui/logout', sameOrigin, (c) => {
    const cookie = getCookie(c, COOKIE);
    if (cookie) logins.delete(cookie);
    deleteCookie(c, COOKIE, { path: '/ui' });
    audit('console.sign_out', { client: c.get('user')?.name ?? 'local' });
    return c.redirect(options.authenticator?.() ? '/ui/login' : '/ui', 303);
  });
  app.post('/ui/reload', sameOrigin, async (c) => {
    if (!options.reload) return c.text('This gateway cannot reload its configuration.', 404);
    const before = options.config().generation;
    await options.reload();
    const config = options.config();
    const applied = config.generation > before;
    audit('console.reload', {
      client: c.get('user')?.name ?? 'local',
      outcome: applied ? 'applied' : 'refused',
      generation: config.generation,
    });
    live.send('config', { html: String(<ConfigBadge config={config} />) });
    return c.redirect(`/ui?notice=${applied ? 'reloaded' : 'refused'}`, 303);
  });
  app.get('/ui/events', () => live.open());
  app.get('/ui', (c) => page(c, 'Backends', 'backends', <BackendsPage rows={rows()} />));
  app.get('/ui/catalog', (c) => {
    const query = (c.req.query('q') ?? '').trim().slice(0, 500);
    const catalog = options.registry.list().map((b) => ({
      backend: b.name,
      description: b.description,
      tools: options.catalog.get(b.name)?.tools,
    }));
    const hits = query ? options.search(query, 10) : undefined;
    return page(c, 'Catalog', 'catalog', <CatalogPage query={query} hits={hits} catalog={catalog} />);
  });
  app.get('/ui/tools/:backend/:tool', (c) => {
    const backend = c.req.param('backend');
    const tool = options.catalog.get(backend)?.tools.find((t) => t.name === c.req.param('tool'));
    if (!options.registry.has(backend) || !tool)
      return c.html(
        `<!doctype html>${String(
          <Layout title="Not found" page={undefined} config={options.config()} user={null} canReload={false}>
            <NotFoundPage what={`No tool "${c.req.param('tool')}" on "${backend}".`} />
          </Layout>,
        )}`,
        404,
      );
    return page(c, tool.name, 'catalog', <ToolPage backend={backend} tool={tool} />);
  });
  app.get('/ui/activity', (c) =>
    page(
      c,
      'Activity',
      'activity',
      <ActivityPage calls={options.activity.recent()} capacity={options.activity.capacity} />,
    ),
  );

  return {
    app,
    close: () => {
      for (const stop of unsubscribe) stop();
      live.close();
      logins.clear();
    },
  };
}

/**
 * Refuses a form POST from another site (the cookie is SameSite=Strict too): browsers send `Origin` with every
 * POST, and it must name the host the request was sent to.
 */
async function sameOrigin(c: Context<Env>, next: Next) {
  const origin = c.req.header('origin');
  const crossSite = c.req.header('sec-fetch-site') === 'cross-site';
  if (crossSite || (origin !== undefined && hostOf(origin) !== c.req.header('host')))
    return c.text('Forbidden: a console action must come from the console itself.', 403);
  return next();
}

/** The host of an `Origin` header; undefined for `null` or anything that is not a URL. */
function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

function isHttps(c: Context<Env>): boolean {
  return new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https';
}

function noticeFor(notice: string | undefined, config: ConfigInfo): string | undefined {
  if (notice === 'reloaded') return `Configuration reloaded: generation ${config.generation}.`;
  if (notice === 'refused')
    return `The reload was refused; the running configuration stays. ${config.last_error ?? ''}`;
  return undefined;
}
