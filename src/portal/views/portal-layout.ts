import { html, SafeHtml } from '../../console/html';
import { csrfField, document, pageMain } from '../../console/views/layout';
import { PortalSession } from '../../management/portal-session.service';

export type PortalPage = 'endpoints' | 'events' | 'event-types';

/** What every portal page knows: the customer's session (its application and access), the open page, a notice. */
export interface PortalContext {
  session: PortalSession;
  active: PortalPage;
  notice?: string;
}

interface Branding {
  displayName?: string;
  logoUrl?: string;
  primaryColor?: string;
}

export function brandingOf(session: PortalSession): Branding {
  return (session.application.portal ?? {}) as Branding;
}

export function canManage(context: PortalContext): boolean {
  return context.session.access === 'manage';
}

function productName(session: PortalSession): string {
  return brandingOf(session).displayName ?? session.application.name;
}

/**
 * A portal page: the console's document, stylesheet and escaping, with the application's name, logo and colour
 * (served by the gateway itself, so nothing loads from elsewhere) instead of the console's navigation.
 */
export function portalLayout(context: PortalContext, title: string, content: SafeHtml): string {
  const { session, active, notice } = context;
  const branding = brandingOf(session);
  const nav = (
    [
      ['endpoints', 'Endpoints', '/portal'],
      ['events', 'Event log', '/portal/events'],
      ['event-types', 'Event types', '/portal/event-types'],
    ] as const
  ).map(([page, label, href]) => html`<a href="${href}" class="${page === active ? 'active' : ''}">${label}</a>`);
  return document(
    title,
    html`<header class="top">
        <a class="brand portal-brand" href="/portal"
          >${branding.logoUrl ? html`<img class="logo" src="/portal/logo" alt="" />` : ''}${productName(session)}</a
        >
        <nav>${nav}</nav>
        <div class="who">
          <span class="scope scope-${session.access === 'manage' ? 'admin' : 'read'}" title="what this session may do"
            >webhooks · ${session.access}</span
          >
          <form method="post" action="/portal/sign-out">
            ${csrfField(session)}<button class="link" type="submit">Sign out</button>
          </form>
        </div>
      </header>
      ${pageMain(notice, title, content)}`,
    'portal',
    { product: productName(session), extraStylesheet: '/portal/theme.css' },
  );
}

/** The page of a link that was used already, expired or never made, and of a session that ended (401). */
export function portalSignedOutPage(message: string): string {
  return document(
    'Link expired',
    html`<main class="login">
      <div class="card">
        <h1>This link has expired</h1>
        <p class="error" role="alert">${message}</p>
        <p class="muted">Portal links open once. Ask for a new one where you found this link.</p>
      </div>
    </main>`,
    'bare',
    { product: 'Webhooks' },
  );
}

const ERROR_TITLES: Record<number, string> = { 403: 'Not allowed', 404: 'Not found', 429: 'Too many requests' };

export function portalErrorPage(status: number, message: string): string {
  return document(
    `${status}`,
    html`<main class="login">
      <div class="card">
        <h1>${ERROR_TITLES[status] ?? (status >= 500 ? 'Something went wrong' : 'Not accepted')}</h1>
        <p class="error">${status} · ${message}</p>
        <p><a href="/portal">Back to your endpoints</a></p>
      </div>
    </main>`,
    'bare',
    { product: 'Webhooks' },
  );
}
