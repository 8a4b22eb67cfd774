import { ConsoleSession } from '../../management/console-session.service';
import { ApiKeyScope, scopeAllows } from '../../management/api-key.types';
import { html, SafeHtml, text } from '../html';

export type ConsolePage =
  | 'overview'
  | 'events'
  | 'dead-letters'
  | 'replays'
  | 'endpoints'
  | 'integrations'
  | 'event-types'
  | 'audit'
  | 'applications';

const NAV: [ConsolePage, string, string][] = [
  ['overview', 'Overview', '/console'],
  ['events', 'Events', '/console/events'],
  ['dead-letters', 'Dead letters', '/console/dead-letters'],
  ['replays', 'Replays', '/console/replays'],
  ['endpoints', 'Endpoints', '/console/endpoints'],
  ['integrations', 'Integrations', '/console/integrations'],
  ['event-types', 'Event types', '/console/event-types'],
  ['audit', 'Audit', '/console/audit'],
];

/** Bull Board and the API docs accept a global admin's session: linked from the header of their pages. */
const ADMIN_LINKS = html`<a href="/admin/queues" target="_blank" rel="noopener">Queues</a>
  <a href="/docs" target="_blank" rel="noopener">API docs</a>`;

/** What every signed-in page knows: who is signed in, and which page is open. */
export interface PageContext {
  session: ConsoleSession;
  active: ConsolePage;
  notice?: string;
}

export function can(session: ConsoleSession, scope: ApiKeyScope): boolean {
  return scopeAllows(session.actor.scope, scope);
}

/**
 * Which application the pages show: an application key's session names its own; a global key's session links to
 * the picker.
 */
function applicationShown(session: ConsoleSession): SafeHtml {
  const shown = session.application ? `application ${session.application.uid}` : 'every application';
  return session.actor.applicationId
    ? html`<span class="application" data-testid="application" title="this key's application">${shown}</span>`
    : html`<a class="application" data-testid="application" href="/console/applications" title="pick an application"
        >${shown}</a
      >`;
}

/** The hidden field every state-changing form carries. */
export function csrfField(session: { csrfToken: string }): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${session.csrfToken}" />`;
}

/** The page around every console and portal page: one stylesheet and one script, both from the gateway. */
export function document(
  title: string,
  body: SafeHtml,
  bodyClass = '',
  surface: { product: string; extraStylesheet?: string } = { product: 'Hookgate console' },
): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · ${surface.product}</title>
        <link rel="stylesheet" href="/console/assets/console.css" />
        ${surface.extraStylesheet ? html`<link rel="stylesheet" href="${surface.extraStylesheet}" />` : ''}
        <script src="/console/assets/console.js" defer></script>
      </head>
      <body class="${bodyClass}">
        ${body}
      </body>
    </html>`.toString();
}

/** A signed-in page: navigation, who is signed in (with logout), the notice of the last action, the content. */
export function layout(context: PageContext, title: string, content: SafeHtml): string {
  const { session, active, notice } = context;
  const globalAdmin = can(session, 'admin') && session.actor.applicationId === null;
  const nav = NAV.map(
    ([page, label, href]) => html`<a href="${href}" class="${page === active ? 'active' : ''}">${label}</a>`,
  );
  return document(
    title,
    html`<header class="top">
        <a class="brand" href="/console">hookgate</a>
        <nav>${nav}</nav>
        <div class="who">
          ${globalAdmin ? ADMIN_LINKS : ''} ${applicationShown(session)}
          <span class="scope scope-${session.actor.scope}" title="signed in with this API key"
            >${session.actor.name} · ${session.actor.scope}</span
          >
          <form method="post" action="/console/logout">
            ${csrfField(session)}<button class="link" type="submit">Sign out</button>
          </form>
        </div>
      </header>
      ${pageMain(notice, title, content)}`,
  );
}

/** The content of a signed-in page (console or portal): the notice of the last action, the title, the content. */
export function pageMain(notice: string | undefined, title: string, content: SafeHtml): SafeHtml {
  return html`<main>
    ${notice ? html`<p class="notice" role="status">${notice}</p>` : ''}
    <h1>${title}</h1>
    ${content}
  </main>`;
}

export function loginPage(error?: string): string {
  return document(
    'Sign in',
    html`<main class="login">
      <form method="post" action="/console/login" class="card">
        <h1>hookgate console</h1>
        <p class="muted">Sign in with a management API key. The session has the key's scope.</p>
        ${error ? html`<p class="error" role="alert">${error}</p>` : ''}
        <label
          >API key <input type="password" name="apiKey" autocomplete="current-password" required autofocus
        /></label>
        <button type="submit" class="primary">Sign in</button>
      </form>
    </main>`,
    'bare',
  );
}

const ERROR_TITLES: Record<number, string> = {
  400: 'Not accepted',
  401: 'Signed out',
  403: 'Not allowed',
  404: 'Not found',
};

export function errorPage(status: number, message: string, signedIn: boolean): string {
  return document(
    `${status}`,
    html`<main class="login">
      <div class="card">
        <h1>${ERROR_TITLES[status] ?? 'Something went wrong'}</h1>
        <p class="error">${status} · ${message}</p>
        <p>
          <a href="/console">${signedIn ? 'Back to the console' : 'Console'}</a
          >${status === 401 ? html` · <a href="/console/login">Sign in</a>` : ''}
        </p>
      </div>
    </main>`,
    'bare',
  );
}

const BADGE: Record<string, string> = {
  delivered: 'ok',
  succeeded: 'ok',
  completed: 'ok',
  healthy: 'ok',
  enabled: 'ok',
  partially_delivered: 'warn',
  retrying: 'warn',
  degraded: 'warn',
  running: 'info',
  pending: 'info',
  queued: 'info',
  processing: 'info',
  received: 'info',
  in_flight: 'info',
  no_subscribers: 'muted',
  cancelled: 'muted',
  disabled: 'muted',
  failed: 'bad',
  dead_lettered: 'bad',
  paused: 'bad',
};

export function badge(status: string): SafeHtml {
  return html`<span class="badge badge-${BADGE[status] ?? 'muted'}">${status.replace(/_/g, ' ')}</span>`;
}

/** A timestamp as UTC text, with the full ISO value on hover. */
export function when(iso: string | Date | null | undefined): SafeHtml {
  if (!iso) return html`<span class="muted">—</span>`;
  const value = typeof iso === 'string' ? iso : iso.toISOString();
  return html`<time datetime="${value}" title="${value}">${value.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}</time>`;
}

export function shortId(id: string | null | undefined): SafeHtml {
  return id ? html`<code title="${id}">${id.slice(0, 8)}</code>` : html`<span class="muted">—</span>`;
}

/** Pretty-printed JSON in a code block. */
export function json(value: unknown): SafeHtml {
  return html`<pre class="code">${JSON.stringify(value, null, 2) ?? 'null'}</pre>`;
}

/** A link to the next page of a keyset-paginated list, keeping the filters. */
export function nextPage(path: string, filters: Record<string, unknown>, nextCursor: string | null): SafeHtml {
  if (!nextCursor) return html``;
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(filters))
    if (value !== undefined && value !== '' && name !== 'cursor')
      query.set(name, value instanceof Date ? value.toISOString() : text(value));
  query.set('cursor', nextCursor);
  return html`<p class="pager"><a class="button" href="${path}?${query.toString()}">Next page →</a></p>`;
}

export function emptyRow(columns: number, message: string): SafeHtml {
  return html`<tr>
    <td colspan="${columns}" class="empty">${message}</td>
  </tr>`;
}

export function inputValue(value: unknown): string {
  return value instanceof Date ? value.toISOString() : text(value);
}
