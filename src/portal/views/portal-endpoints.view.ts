import { html, SafeHtml } from '../../console/html';
import { deliverySemanticsRows, orderingField, transformationForm } from '../../console/views/delivery-semantics.view';
import { DISABLE_QUESTION, GRACE_PERIODS, secretBox } from '../../console/views/endpoints.view';
import { badge, csrfField, emptyRow, json, nextPage, shortId, when } from '../../console/views/layout';
import { DeliveryListItem } from '../../delivery/delivery-query.service';
import { EndpointTestResult } from '../../delivery/endpoint-test.service';
import { EndpointHealth } from '../../endpoints/endpoint-gate';
import { EndpointView } from '../../endpoints/endpoint.view';
import { canManage, PortalContext, portalLayout } from './portal-layout';

type EndpointWithHealth = EndpointView & { health: EndpointHealth };

/** One hour of an endpoint's attempts: how many, and how many succeeded. */
export interface HourOfAttempts {
  at: Date;
  total: number;
  succeeded: number;
}

function percent(rate: number | null): string {
  return rate === null ? '—' : `${Math.round(rate * 100)} %`;
}

function state(endpoint: EndpointWithHealth): SafeHtml {
  return endpoint.enabled ? badge(endpoint.health.state) : badge('disabled');
}

function headerLines(headers: Record<string, string> | undefined): string {
  return Object.entries(headers ?? {})
    .map(([name, value]) => `${name}: ${value}`)
    .join('\n');
}

/** The fields a customer sets on an endpoint; event types are picked from the application's catalog (§7.3). */
function endpointFields(eventTypes: string[], endpoint?: EndpointView): SafeHtml {
  const chosen = new Set(endpoint?.filter.eventTypes ?? []);
  const extra = [...chosen].filter((name) => !eventTypes.includes(name));
  return html`<div class="filters">
      <label
        >URL
        <input
          name="url"
          type="url"
          required
          value="${endpoint?.url ?? ''}"
          placeholder="https://your-service.example/webhooks"
      /></label>
      <label>Description <input name="description" maxlength="500" value="${endpoint?.description ?? ''}" /></label>
      <label
        >Rate limit (per second; empty: none, or unchanged)
        <input name="rateLimitPerSecond" inputmode="numeric" value="${endpoint?.rateLimitPerSecond ?? ''}"
      /></label>
      ${orderingField(endpoint?.ordering)}
    </div>
    <fieldset class="event-types" data-testid="event-types">
      <legend>Event types (none ticked: every type)</legend>
      ${
        eventTypes.length
          ? [...eventTypes, ...extra].map(
              (name) =>
                html`<label class="check"
                  ><input type="checkbox" name="eventTypes" value="${name}" ${chosen.has(name) ? 'checked' : ''} />
                  ${name}</label
                >`,
            )
          : html`<p class="muted">No event types yet: this endpoint receives every event.</p>`
      }
    </fieldset>
    <div class="grid2">
      <label
        >Payload filter (JSON)
        <textarea name="payloadFilter" rows="3" spellcheck="false" placeholder='{"data.object.currency": "eur"}'>
${endpoint?.filter.payload ? JSON.stringify(endpoint.filter.payload) : ''}</textarea>
      </label>
      <label
        >Headers (one "name: value" a line)
        <textarea name="headers" rows="3" spellcheck="false" placeholder="x-tenant: eu-1">
${headerLines(endpoint?.headers)}</textarea>
      </label>
    </div>`;
}

export function portalEndpointsPage(
  context: PortalContext,
  endpoints: EndpointWithHealth[],
  nextCursor: string | null,
  eventTypes: string[],
  created?: { url: string; secret: string },
): string {
  const rows = endpoints.map(
    (endpoint) =>
      html`<tr>
        <td>
          <a href="/portal/endpoints/${endpoint.id}">${endpoint.url}</a
          >${endpoint.description ? html`<div class="muted">${endpoint.description}</div>` : ''}
        </td>
        <td>${endpoint.filter.eventTypes?.join(', ') ?? html`<span class="muted">every type</span>`}</td>
        <td>${state(endpoint)}</td>
        <td class="num">${percent(endpoint.health.recentSuccessRate)}</td>
        <td>${when(endpoint.health.lastAttemptAt)}</td>
      </tr>`,
  );
  return portalLayout(
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
            <th>Event types</th>
            <th>State</th>
            <th class="num">Recent success</th>
            <th>Last attempt</th>
          </tr>
        </thead>
        <tbody>
          ${rows.length ? rows : emptyRow(5, 'No endpoint yet.')}
        </tbody>
      </table>
      ${nextPage('/portal', {}, nextCursor)}
      ${
        canManage(context)
          ? html`<form method="post" action="/portal/endpoints" class="card" data-testid="create-endpoint">
              ${csrfField(context.session)}
              <h2>New endpoint</h2>
              ${endpointFields(eventTypes)}
              <div class="actions"><button type="submit" class="primary">Create endpoint</button></div>
            </form>`
          : ''
      }`,
  );
}

const CHART_WIDTH = 600;
const CHART_HEIGHT = 120;
const CHART_PAD = 18;

/** Success rate per hour as inline SVG (no script, nothing loaded): bar height is the rate, hours without attempts are gaps. */
export function successRateChart(hours: HourOfAttempts[], since: Date): SafeHtml {
  const slot = (CHART_WIDTH - CHART_PAD) / 24;
  const bars = hours.map((hour) => {
    const rate = hour.succeeded / hour.total;
    const height = Math.max(2, Math.round((CHART_HEIGHT - CHART_PAD) * rate));
    const index = Math.min(23, Math.max(0, Math.floor((hour.at.getTime() - since.getTime()) / 3_600_000)));
    return html`<rect
      class="${rate >= 0.95 ? 'ok' : rate >= 0.5 ? 'warn' : 'bad'}"
      x="${(CHART_PAD + index * slot).toFixed(1)}"
      y="${CHART_HEIGHT - CHART_PAD - height}"
      width="${(slot - 2).toFixed(1)}"
      height="${height}"
      ><title>
        ${hour.at.toISOString().slice(11, 16)} UTC: ${hour.succeeded} of ${hour.total} attempts succeeded
      </title></rect
    >`;
  });
  return html`<svg
    class="chart"
    viewBox="0 0 ${CHART_WIDTH} ${CHART_HEIGHT}"
    role="img"
    aria-label="success rate per hour, last 24 hours"
    data-testid="success-chart"
    preserveAspectRatio="none"
  >
    <line
      x1="${CHART_PAD}"
      y1="${CHART_HEIGHT - CHART_PAD}"
      x2="${CHART_WIDTH}"
      y2="${CHART_HEIGHT - CHART_PAD}"
      class="axis"
    />
    <text x="0" y="10" class="tick">100%</text>
    <text x="0" y="${CHART_HEIGHT - CHART_PAD}" class="tick">0</text>
    ${bars}
    <text x="${CHART_PAD}" y="${CHART_HEIGHT - 4}" class="tick">24 h ago</text>
    <text x="${CHART_WIDTH}" y="${CHART_HEIGHT - 4}" class="tick" text-anchor="end">now</text>
  </svg>`;
}

function testResultBox(result: EndpointTestResult): SafeHtml {
  return html`<div class="card" data-testid="test-result">
    <h2>Test event sent</h2>
    <p>
      ${badge(result.outcome)} ${result.responseStatus === null ? 'no answer' : `answered ${result.responseStatus}`} in
      ${result.durationMs} ms ${result.error ? html`<span class="error-text">${result.error}</span>` : ''}
    </p>
    <p><a href="/portal/events/${result.eventId}">See the request and the answer</a></p>
  </div>`;
}

function deliveryRows(deliveries: DeliveryListItem[]): SafeHtml[] {
  return deliveries.map(
    (delivery) =>
      html`<tr>
        <td>${when(delivery.createdAt)}</td>
        <td><a href="/portal/events/${delivery.eventId}">${shortId(delivery.eventId)}</a></td>
        <td>${badge(delivery.status)}</td>
        <td class="num">${delivery.attemptCount}</td>
        <td class="error-text">${delivery.lastError ?? ''}</td>
      </tr>`,
  );
}

function controls(context: PortalContext, endpoint: EndpointWithHealth): SafeHtml {
  const csrf = csrfField(context.session);
  const base = `/portal/endpoints/${endpoint.id}`;
  return html`<div class="card" data-testid="controls">
    <h2>Controls</h2>
    <form method="post" action="${base}/test">
      ${csrf}<button type="submit" class="primary">Send a test event</button>
    </form>
    <form
      method="post"
      action="${base}/${endpoint.enabled ? 'disable' : 'enable'}"
      ${endpoint.enabled ? html`data-confirm="${DISABLE_QUESTION}"` : ''}
    >
      ${csrf}<button type="submit" class="${endpoint.enabled ? 'danger' : 'primary'}">
        ${endpoint.enabled ? 'Disable endpoint' : 'Enable endpoint'}
      </button>
    </form>
    <form method="post" action="${base}/rotate-secret" data-confirm="Rotate the signing secret?">
      ${csrf}
      <label
        >Grace period
        <select name="gracePeriodSeconds">
          ${GRACE_PERIODS.map(([seconds, label]) => html`<option value="${String(seconds)}">${label}</option>`)}
        </select>
      </label>
      <button type="submit">Rotate signing secret</button>
    </form>
    <form method="post" action="${base}/recover">
      ${csrf}
      <label>Recover since (UTC) <input name="since" type="datetime-local" required /></label>
      <button type="submit">Resend failed deliveries</button>
    </form>
    <form
      method="post"
      action="${base}/delete"
      data-confirm="Delete this endpoint? Its history stays in the event log."
    >
      ${csrf}<button type="submit" class="danger">Delete endpoint</button>
    </form>
  </div>`;
}

export function portalEndpointPage(
  context: PortalContext,
  endpoint: EndpointWithHealth,
  eventTypes: string[],
  hours: HourOfAttempts[],
  since: Date,
  deliveries: DeliveryListItem[],
  shown: { secret?: string; testResult?: EndpointTestResult } = {},
): string {
  return portalLayout(
    context,
    endpoint.url,
    html`${shown.secret ? secretBox(shown.secret) : ''} ${shown.testResult ? testResultBox(shown.testResult) : ''}
      <div class="summary">
        <div>${state(endpoint)}</div>
        <dl>
          <dt>Description</dt>
          <dd>${endpoint.description ?? ''}</dd>
          <dt>Event types</dt>
          <dd>${endpoint.filter.eventTypes?.join(', ') ?? 'every type'}</dd>
          <dt>Payload filter</dt>
          <dd>${endpoint.filter.payload ? json(endpoint.filter.payload) : 'none'}</dd>
          ${deliverySemanticsRows(endpoint)}
          <dt>Recent success</dt>
          <dd>${percent(endpoint.health.recentSuccessRate)}</dd>
          <dt>Last error</dt>
          <dd class="error-text">${endpoint.health.lastError ?? ''}</dd>
        </dl>
      </div>
      <h2>Success rate, last 24 hours</h2>
      ${successRateChart(hours, since)}
      ${
        canManage(context)
          ? html`<div class="grid2">
                <form method="post" action="/portal/endpoints/${endpoint.id}" class="card" data-testid="edit-endpoint">
                  ${csrfField(context.session)}
                  <h2>Edit</h2>
                  ${endpointFields(eventTypes, endpoint)}
                  <div class="actions"><button type="submit" class="primary">Save</button></div>
                </form>
                ${controls(context, endpoint)}
              </div>
              ${transformationForm(
                context.session,
                `/portal/endpoints/${endpoint.id}/transformation`,
                endpoint.transformation,
              )}`
          : ''
      }
      <h2>Recent deliveries</h2>
      <table class="list" data-testid="deliveries">
        <thead>
          <tr>
            <th>Created (UTC)</th>
            <th>Event</th>
            <th>Status</th>
            <th class="num">Attempts</th>
            <th>Last error</th>
          </tr>
        </thead>
        <tbody>
          ${deliveries.length ? deliveryRows(deliveries) : emptyRow(5, 'Nothing delivered yet.')}
        </tbody>
      </table>`,
  );
}
