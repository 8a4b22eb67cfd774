import { EndpointHealth } from '../../endpoints/endpoint-gate';
import { EndpointView } from '../../endpoints/endpoint.view';
import { IntegrationView } from '../../providers/integrations/integration.view';
import { deliverySemanticsRows, orderingField, transformationForm } from './delivery-semantics.view';
import { html, SafeHtml } from '../html';
import { badge, can, csrfField, emptyRow, layout, nextPage, PageContext, shortId, when } from './layout';

export interface RecentAttempt {
  id: string;
  number: number;
  responseStatus: number | null;
  outcome: string;
  error: string | null;
  durationMs: number;
  startedAt: Date;
  delivery: { eventId: string };
}

/** The console's choices of grace period for a rotated-out signing secret (contract §7.6), in seconds. */
export const GRACE_PERIODS: [number, string][] = [
  [0, 'none: only the new secret signs from now on'],
  [3_600, '1 hour'],
  [86_400, '24 hours'],
  [604_800, '7 days'],
];
export const DISABLE_QUESTION = 'Disable this endpoint? Nothing more is delivered to it until it is enabled again.';

function successRate(health: EndpointHealth): string {
  return health.recentSuccessRate === null ? '—' : `${Math.round(health.recentSuccessRate * 100)} %`;
}

function filterText(endpoint: EndpointView): SafeHtml {
  const parts = [
    endpoint.filter.integrations?.length ? `integrations ${endpoint.filter.integrations.join(', ')}` : '',
    endpoint.filter.eventTypes?.length ? `types ${endpoint.filter.eventTypes.join(', ')}` : '',
  ].filter(Boolean);
  return html`<span class="muted">${parts.length ? parts.join(' · ') : 'every event'}</span>`;
}

function filterFields(endpoint?: EndpointView): SafeHtml {
  return html`<label
      >Integrations
      <input
        name="integrations"
        value="${endpoint?.filter.integrations?.join(', ') ?? ''}"
        placeholder="stripe, github (empty: all)"
    /></label>
    <label
      >Event types
      <input
        name="eventTypes"
        value="${endpoint?.filter.eventTypes?.join(', ') ?? ''}"
        placeholder="invoice.*, push (empty: all)"
    /></label>`;
}

function authText(auth: EndpointView['auth']): string {
  if (!auth) return 'none';
  if (auth.type === 'bearer') return 'bearer token';
  return `OAuth2 client credentials: client ${auth.clientId} at ${auth.tokenUrl}${auth.scope ? `, scope ${auth.scope}` : ''}`;
}

/** What §6.6 adds to each delivery: shown, never its secrets (reads carry none). */
function deliveryControls(endpoint: EndpointView): SafeHtml {
  const headers = Object.entries(endpoint.headers ?? {});
  return html`<dl class="summary" data-testid="delivery-controls">
    <dt>Paused since</dt>
    <dd data-testid="paused-since">${endpoint.pausedAt ?? 'not paused'}</dd>
    <dt>Extra headers</dt>
    <dd>${headers.length ? headers.map(([name, value]) => html`<code>${name}: ${value}</code> `) : 'none'}</dd>
    <dt>Authorization</dt>
    <dd>${authText(endpoint.auth)}</dd>
    ${deliverySemanticsRows(endpoint)}
  </dl>`;
}

/** An operator's pause (ops scope): deliveries wait, without using attempts, until resumed. */
function pauseForm(context: PageContext, endpoint: EndpointView): SafeHtml {
  const action = endpoint.pausedAt ? 'resume' : 'pause';
  return html`<form method="post" action="/console/endpoints/${endpoint.id}/${action}" class="card">
    ${csrfField(context.session)}
    <p class="muted">Paused deliveries wait without using attempts; resuming sends them.</p>
    <button type="submit" class="${endpoint.pausedAt ? 'primary' : ''}">
      ${endpoint.pausedAt ? 'Resume deliveries' : 'Pause deliveries'}
    </button>
  </form>`;
}

export function secretBox(secret: string): SafeHtml {
  return html`<div class="secret card" data-testid="secret">
    <p>
      <strong>Signing secret, shown only now.</strong> Store it in the receiver's configuration; it cannot be read back.
    </p>
    <pre class="code" data-secret>${secret}</pre>
  </div>`;
}

export function endpointsPage(
  context: PageContext,
  endpoints: (EndpointView & { health: EndpointHealth })[],
  nextCursor: string | null,
  created?: { url: string; secret: string },
): string {
  const admin = can(context.session, 'admin');
  const rows = endpoints.map(
    (endpoint) =>
      html`<tr>
        <td>
          <a href="/console/endpoints/${endpoint.id}">${endpoint.url}</a
          >${endpoint.description ? html`<div class="muted">${endpoint.description}</div>` : ''}
        </td>
        <td>${filterText(endpoint)}</td>
        <td>${endpoint.enabled ? badge(endpoint.health.state) : badge('disabled')}</td>
        <td class="num">${successRate(endpoint.health)}</td>
        <td>${when(endpoint.health.lastAttemptAt)}</td>
      </tr>`,
  );
  return layout(
    context,
    'Endpoints',
    html`${
        created
          ? html`<p class="notice">Endpoint ${created.url} created.</p>
              ${secretBox(created.secret)}`
          : ''
      }
      <table class="list" data-testid="endpoints">
        <thead>
          <tr>
            <th>URL</th>
            <th>Filter</th>
            <th>Health</th>
            <th class="num">Recent success</th>
            <th>Last attempt</th>
          </tr>
        </thead>
        <tbody>
          ${rows.length ? rows : emptyRow(5, 'No endpoint yet.')}
        </tbody>
      </table>
      ${nextPage('/console/endpoints', {}, nextCursor)}
      ${
        admin
          ? html`<form method="post" action="/console/endpoints" class="card" data-testid="create-endpoint">
              ${csrfField(context.session)}
              <h2>New endpoint</h2>
              <div class="filters">
                <label
                  >URL <input name="url" type="url" required placeholder="https://receiver.example.com/hooks"
                /></label>
                <label>Description <input name="description" maxlength="500" /></label>${filterFields()}
              </div>
              <div class="actions"><button type="submit" class="primary">Create endpoint</button></div>
            </form>`
          : ''
      }`,
  );
}

export function endpointPage(
  context: PageContext,
  endpoint: EndpointView & { health: EndpointHealth },
  attempts: RecentAttempt[],
  deadLetters: number,
  rotatedSecret?: string,
): string {
  const admin = can(context.session, 'admin');
  const health = endpoint.health;
  return layout(
    context,
    endpoint.url,
    html`${rotatedSecret ? secretBox(rotatedSecret) : ''}
      <div class="summary">
        <div>${endpoint.enabled ? badge(health.state) : badge('disabled')}</div>
        <dl>
          <dt>Id</dt>
          <dd><code>${endpoint.id}</code></dd>
          <dt>Description</dt>
          <dd>${endpoint.description ?? ''}</dd>
          <dt>Filter</dt>
          <dd>${filterText(endpoint)}</dd>
          <dt>Recent success</dt>
          <dd>${successRate(health)}</dd>
          <dt>Last attempt</dt>
          <dd>${when(health.lastAttemptAt)}</dd>
          <dt>Last error</dt>
          <dd class="error-text">${health.lastError ?? ''}</dd>
          ${
            endpoint.disabledReason
              ? html`<dt>Disabled because</dt>
                  <dd>${endpoint.disabledReason}</dd>`
              : ''
          }
          <dt>Dead letters</dt>
          <dd><a href="/console/dead-letters?endpointId=${endpoint.id}">${deadLetters}</a></dd>
        </dl>
      </div>
      ${deliveryControls(endpoint)} ${can(context.session, 'ops') ? pauseForm(context, endpoint) : ''}
      ${
        admin
          ? html`<div class="grid2">
              <form method="post" action="/console/endpoints/${endpoint.id}" class="card">
                ${csrfField(context.session)}
                <h2>Edit</h2>
                <div class="filters">
                  <label
                    >Description
                    <input name="description" value="${endpoint.description ?? ''}" maxlength="500" /></label
                  >${filterFields(endpoint)} ${orderingField(endpoint.ordering)}
                </div>
                <div class="actions"><button type="submit" class="primary">Save</button></div>
              </form>
              <div class="card">
                <h2>Controls</h2>
                <form
                  method="post"
                  action="/console/endpoints/${endpoint.id}/${endpoint.enabled ? 'disable' : 'enable'}"
                  ${endpoint.enabled ? html`data-confirm="${DISABLE_QUESTION}"` : ''}
                >
                  ${csrfField(context.session)}
                  <button type="submit" class="${endpoint.enabled ? 'danger' : 'primary'}">
                    ${endpoint.enabled ? 'Disable endpoint' : 'Enable endpoint'}
                  </button>
                </form>
                <form
                  method="post"
                  action="/console/endpoints/${endpoint.id}/rotate-secret"
                  data-confirm="Rotate the signing secret? The receiver must be given the new one before the grace period ends."
                >
                  ${csrfField(context.session)}
                  <label
                    >Grace period
                    <select name="gracePeriodSeconds">
                      ${GRACE_PERIODS.map(
                        ([seconds, label]) => html`<option value="${String(seconds)}">${label}</option>`,
                      )}
                    </select>
                  </label>
                  <p class="muted">
                    During the grace period every delivery carries two signatures, with the new secret and with the
                    previous one, so a receiver holding either verifies it.
                  </p>
                  <button type="submit">Rotate signing secret</button>
                </form>
              </div>
            </div>`
          : ''
      }
      ${
        admin
          ? transformationForm(
              context.session,
              `/console/endpoints/${endpoint.id}/transformation`,
              endpoint.transformation,
            )
          : ''
      }
      <h2>Recent attempts</h2>
      <table class="list">
        <thead>
          <tr>
            <th>Started (UTC)</th>
            <th>Event</th>
            <th>Attempt</th>
            <th>Status</th>
            <th>Duration</th>
            <th>Outcome</th>
          </tr>
        </thead>
        <tbody>
          ${
            attempts.length
              ? attempts.map(
                  (attempt) =>
                    html`<tr>
                      <td>${when(attempt.startedAt)}</td>
                      <td>
                        <a href="/console/events/${attempt.delivery.eventId}">${shortId(attempt.delivery.eventId)}</a>
                      </td>
                      <td>#${attempt.number}</td>
                      <td>${attempt.responseStatus ?? html`<span class="muted">no answer</span>`}</td>
                      <td>${attempt.durationMs} ms</td>
                      <td>
                        ${attempt.outcome}${attempt.error ? html`<div class="error-text">${attempt.error}</div>` : ''}
                      </td>
                    </tr>`,
                )
              : emptyRow(6, 'No attempt yet.')
          }
        </tbody>
      </table>`,
  );
}

export function integrationsPage(
  context: PageContext,
  integrations: IntegrationView[],
  providers: string[],
  nextCursor: string | null,
): string {
  const admin = can(context.session, 'admin');
  const rows = integrations.map(
    (integration) =>
      html`<tr>
        <td>
          <strong>${integration.slug}</strong>
          <div class="muted"><code>POST /webhooks/${integration.slug}</code></div>
        </td>
        <td>${integration.provider}</td>
        <td>${badge(integration.enabled ? 'enabled' : 'disabled')}</td>
        <td class="num">${integration.rateLimitPerMinute ?? '—'}</td>
        <td>
          ${
            integration.previousSecretExpiresAt
              ? html`previous secret valid until ${when(integration.previousSecretExpiresAt)}`
              : ''
          }
        </td>
        <td>
          ${
            admin
              ? html`<form method="post" action="/console/integrations/${integration.id}/rotate-secret" class="inline">
                  ${csrfField(context.session)}
                  <input
                    name="secret"
                    type="password"
                    required
                    placeholder="new secret"
                    aria-label="new secret for ${integration.slug}"
                  /><button type="submit">Rotate</button>
                </form>`
              : ''
          }
        </td>
      </tr>`,
  );
  return layout(
    context,
    'Integrations',
    html`<table class="list" data-testid="integrations">
        <thead>
          <tr>
            <th>Slug</th>
            <th>Provider</th>
            <th>State</th>
            <th class="num">Limit / min</th>
            <th>Rotation</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          ${rows.length ? rows : emptyRow(6, 'No integration yet.')}
        </tbody>
      </table>
      ${nextPage('/console/integrations', {}, nextCursor)}
      ${
        admin
          ? html`<form method="post" action="/console/integrations" class="card">
              ${csrfField(context.session)}
              <h2>New integration</h2>
              <div class="filters">
                <label
                  >Slug <input name="slug" required pattern="[a-z0-9][a-z0-9-]{0,62}" placeholder="stripe-eu"
                /></label>
                <label
                  >Provider
                  <select name="provider">
                    ${providers.map((provider) => html`<option>${provider}</option>`)}
                  </select></label
                >
                <label
                  >Secret <input name="secret" type="password" required placeholder="the provider's signing secret"
                /></label>
              </div>
              <div class="actions"><button type="submit" class="primary">Create integration</button></div>
            </form>`
          : ''
      }`,
  );
}
