/** @jsxRuntime classic */
/** @jsx h */
/** @jsxFrag Fragment */
import type { BackendHealth, CatalogTool } from '@mcp-gateway/core';
import type { Activity } from './activity';
import { time } from './layout';
import { Fragment, h } from './html';

export interface BackendRow {
  name: string;
  description: string;
  health: BackendHealth;
}

/** One search result with why it matched. */
export interface ConsoleHit {
  backend: string;
  tool: CatalogTool;
  score: number;
  exact: boolean;
  why: { words: string[]; synonyms: string[]; meaning?: number };
}

export function BackendsPage({ rows }: { rows: BackendRow[] }) {
  return (
    <>
      <h1>Backends</h1>
      <Summary rows={rows} />
      <table class="backends">
        <thead>
          <tr>
            <th>Backend</th>
            <th>State</th>
            <th>Transport</th>
            <th>Era</th>
            <th class="num">Tools</th>
            <th class="num">Sessions</th>
            <th class="num">In flight</th>
            <th class="num">Restarts</th>
            <th class="num">Uptime</th>
            <th>Last error</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <BackendLine row={row} />
          ))}
        </tbody>
      </table>
    </>
  );
}

export function Summary({ rows }: { rows: BackendRow[] }) {
  const count = (state: string) => rows.filter((r) => r.health.state === state).length;
  const tools = rows.reduce((sum, r) => sum + r.health.tools_cached, 0);
  return (
    <p id="summary" class="summary">
      <strong>{rows.length}</strong> backends · <strong>{tools}</strong> tools ·{' '}
      <span class="badge ready">{count('ready')} ready</span>
      {count('degraded') > 0 ? <span class="badge degraded">{count('degraded')} degraded</span> : null}
      {count('hibernated') > 0 ? (
        <span class="badge hibernated">{count('hibernated')} hibernated</span>
      ) : null}
    </p>
  );
}

export function BackendLine({ row }: { row: BackendRow }) {
  const { health } = row;
  return (
    <tr id={`backend-${row.name}`} data-state={health.state}>
      <td>
        <a href={`/ui/catalog#${row.name}`} class="name">
          {row.name}
        </a>
        <div class="dim small">{row.description}</div>
      </td>
      <td>
        <span class={`badge ${health.state}`}>{health.state}</span>
      </td>
      <td>{health.transport}</td>
      <td class="era">{era(health.protocol_version)}</td>
      <td class="num tools">{health.tools_cached}</td>
      <td class="num">{health.sessions}</td>
      <td class="num">{health.in_flight}</td>
      <td class="num restarts">{health.restart_count}</td>
      <td class="num" data-uptime={health.uptime_s ?? ''}>
        {health.uptime_s === null ? '—' : duration(health.uptime_s)}
      </td>
      <td class="error">{health.last_error ?? ''}</td>
    </tr>
  );
}

export function CatalogPage(props: {
  query: string;
  hits: ConsoleHit[] | undefined;
  catalog: { backend: string; description: string; tools: CatalogTool[] | undefined }[];
}) {
  return (
    <>
      <h1>Catalog</h1>
      <form class="search" method="get" action="/ui/catalog">
        <input
          type="search"
          name="q"
          value={props.query}
          placeholder="Describe the tool you want, as its author would"
          autofocus
        />
        <button type="submit">Search</button>
      </form>
      {props.hits ? <Results query={props.query} hits={props.hits} /> : null}
      {props.catalog.map(({ backend, description, tools }) => (
        <section class="card" id={backend}>
          <h2>
            {backend}{' '}
            <span class="dim small">{tools === undefined ? 'not known yet' : `${tools.length} tools`}</span>
          </h2>
          <p class="dim">{description}</p>
          {tools && tools.length > 0 ? (
            <table class="tools">
              <tbody>
                {tools.map((tool) => (
                  <tr>
                    <td class="tool-name">
                      <a href={toolHref(backend, tool.name)}>{tool.name}</a>
                    </td>
                    <td>
                      {firstLine(tool.description)} <Annotations tool={tool} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </section>
      ))}
    </>
  );
}

function Results({ query, hits }: { query: string; hits: ConsoleHit[] }) {
  if (hits.length === 0) return <p class="card">No tool matches “{query}”.</p>;
  return (
    <section class="card results">
      <h2>
        Best matches for “{query}” <span class="dim small">the ranking gateway_search_tools runs</span>
      </h2>
      <ol>
        {hits.map((hit) => (
          <li>
            <a href={toolHref(hit.backend, hit.tool.name)} class="name">
              {hit.backend}/{hit.tool.name}
            </a>
            <span class="score">{hit.exact ? 'named exactly' : `score ${hit.score.toFixed(2)}`}</span>
            <div class="dim">{firstLine(hit.tool.description)}</div>
            <div class="why">
              {hit.why.words.map((w) => (
                <span class="chip">{w}</span>
              ))}
              {hit.why.synonyms.map((w) => (
                <span class="chip synonym" title="a synonym of a word of the query">
                  ≈ {w}
                </span>
              ))}
              {hit.why.meaning !== undefined ? (
                <span class="chip meaning" title="how close its meaning is to the query's (cosine)">
                  meaning {hit.why.meaning.toFixed(2)}
                </span>
              ) : null}
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
}

export function ToolPage({ backend, tool }: { backend: string; tool: CatalogTool }) {
  const annotations = Object.entries(tool.annotations ?? {});
  return (
    <>
      <p class="dim">
        <a href={`/ui/catalog#${backend}`}>{backend}</a> /
      </p>
      <h1>{tool.name}</h1>
      {typeof tool.title === 'string' ? <p class="subtitle">{tool.title}</p> : null}
      <section class="card">
        <h2>Description</h2>
        <p class="description">{tool.description ?? '(none)'}</p>
      </section>
      <section class="card">
        <h2>Annotations</h2>
        {annotations.length === 0 ? (
          <p class="dim">None.</p>
        ) : (
          <table class="kv">
            <tbody>
              {annotations.map(([key, value]) => (
                <tr>
                  <th>{key}</th>
                  <td>{JSON.stringify(value)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section class="card">
        <h2>Input schema</h2>
        <pre>{JSON.stringify(tool.inputSchema, null, 2)}</pre>
      </section>
      <section class="card">
        <h2>Call it from an agent</h2>
        <pre>
          {JSON.stringify(
            { name: 'gateway_invoke', arguments: { server: backend, tool: tool.name, arguments: {} } },
            null,
            2,
          )}
        </pre>
      </section>
    </>
  );
}

export function ActivityPage({ calls, capacity }: { calls: Activity[]; capacity: number }) {
  return (
    <>
      <h1>Activity</h1>
      <p class="dim">
        The last {capacity} calls to backends, newest first, live. Arguments and results are not kept.
      </p>
      <table class="activity">
        <thead>
          <tr>
            <th>Time (UTC)</th>
            <th>Client</th>
            <th>Backend</th>
            <th>Call</th>
            <th class="num">Duration</th>
            <th>Outcome</th>
          </tr>
        </thead>
        <tbody id="activity" data-capacity={capacity}>
          {calls.map((call) => (
            <ActivityLine call={call} />
          ))}
        </tbody>
      </table>
      {calls.length === 0 ? (
        <p class="dim" id="no-activity">
          No calls yet.
        </p>
      ) : null}
    </>
  );
}

export function ActivityLine({ call }: { call: Activity }) {
  return (
    <tr>
      <td>{time(call.at)}</td>
      <td>{call.client}</td>
      <td>{call.backend}</td>
      <td>
        <code>{call.method}</code> {call.target ?? ''}
      </td>
      <td class="num">{call.durationMs.toFixed(1)} ms</td>
      <td>
        <span class={`badge ${call.outcome === 'ok' ? 'ready' : 'degraded'}`}>{call.outcome}</span>
      </td>
    </tr>
  );
}

export function toolHref(backend: string, tool: string): string {
  return `/ui/tools/${encodeURIComponent(backend)}/${encodeURIComponent(tool)}`;
}

function Annotations({ tool }: { tool: CatalogTool }) {
  const a = tool.annotations ?? {};
  return (
    <>
      {a.readOnlyHint === true ? <span class="chip">read-only</span> : null}
      {a.destructiveHint === true ? <span class="chip warn">destructive</span> : null}
      {a.openWorldHint === true ? <span class="chip">open world</span> : null}
    </>
  );
}

function era(version: string | null) {
  if (version === null) return '—';
  return (
    <>
      {version >= '2026-07-28' ? 'modern' : 'legacy'} <span class="dim small">{version}</span>
    </>
  );
}

function firstLine(text: string | undefined): string {
  const line = (text ?? '').split('\n')[0]!.trim();
  return line.length > 160 ? `${line.slice(0, 157)}…` : line;
}

export function duration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
}
