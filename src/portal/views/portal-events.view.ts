import { html, SafeHtml } from '../../console/html';
import { badge, csrfField, emptyRow, inputValue, json, nextPage, shortId, when } from '../../console/views/layout';
import { canManage, PortalContext, portalLayout } from './portal-layout';

export interface PortalEventItem {
  id: string;
  type: string;
  status: string;
  receivedAt: string;
}

/** An attempt as the customer sees it: the request Hookgate sent (signature redacted) and what came back. */
export interface PortalAttempt {
  number: number;
  url: string;
  outcome: string;
  requestHeaders: unknown;
  responseStatus: number | null;
  responseHeaders: unknown;
  responseBody: string | null;
  error: string | null;
  durationMs: number;
  startedAt: Date;
}

export interface PortalEventDetail extends PortalEventItem {
  /** What a FIFO endpoint orders this event by (contract §7.5). */
  orderingKey: string;
  data: unknown;
  deliveries: { id: string; endpointId: string; endpointUrl: string; status: string; attempts: PortalAttempt[] }[];
}

export function portalEventsPage(
  context: PortalContext,
  filters: { type?: string; status?: string },
  events: PortalEventItem[],
  nextCursor: string | null,
): string {
  const rows = events.map(
    (event) =>
      html`<tr>
        <td>${when(event.receivedAt)}</td>
        <td><a href="/portal/events/${event.id}">${event.type}</a></td>
        <td>${badge(event.status)}</td>
        <td>${shortId(event.id)}</td>
      </tr>`,
  );
  return portalLayout(
    context,
    'Event log',
    html`<form method="get" action="/portal/events" class="filters card">
        <label>Type <input name="type" value="${inputValue(filters.type)}" placeholder="invoice.*" /></label>
        <label>Status <input name="status" value="${inputValue(filters.status)}" placeholder="failed" /></label>
        <div class="actions"><button type="submit">Filter</button></div>
      </form>
      <table class="list" data-testid="events">
        <thead>
          <tr>
            <th>Received (UTC)</th>
            <th>Type</th>
            <th>Status</th>
            <th>Id</th>
          </tr>
        </thead>
        <tbody>
          ${rows.length ? rows : emptyRow(4, 'No event yet.')}
        </tbody>
      </table>
      ${nextPage('/portal/events', filters, nextCursor)}`,
  );
}

function attemptBlock(attempt: PortalAttempt): SafeHtml {
  return html`<details class="attempt" data-testid="attempt">
    <summary>
      #${attempt.number} ${badge(attempt.outcome)} ${attempt.responseStatus ?? 'no answer'} · ${attempt.durationMs} ms ·
      ${when(attempt.startedAt)} ${attempt.error ? html`<span class="error-text">${attempt.error}</span>` : ''}
    </summary>
    <div class="grid2">
      <div>
        <h3>Request</h3>
        <p><code>POST ${attempt.url}</code></p>
        ${json(attempt.requestHeaders)}
      </div>
      <div>
        <h3>Response</h3>
        ${attempt.responseHeaders ? json(attempt.responseHeaders) : html`<p class="muted">no answer</p>`}
        ${attempt.responseBody ? html`<pre class="code">${attempt.responseBody}</pre>` : ''}
      </div>
    </div>
  </details>`;
}

export function portalEventPage(context: PortalContext, event: PortalEventDetail): string {
  const deliveries = event.deliveries.map(
    (delivery) =>
      html`<section class="card" data-testid="delivery">
        <h2>
          ${badge(delivery.status)} to <a href="/portal/endpoints/${delivery.endpointId}">${delivery.endpointUrl}</a>
        </h2>
        ${delivery.attempts.length ? delivery.attempts.map(attemptBlock) : html`<p class="muted">No attempt yet.</p>`}
      </section>`,
  );
  return portalLayout(
    context,
    event.type,
    html`<div class="summary">
        <div>${badge(event.status)}</div>
        <dl>
          <dt>Id</dt>
          <dd><code>${event.id}</code></dd>
          <dt>Received</dt>
          <dd>${when(event.receivedAt)}</dd>
          <dt>Ordering key</dt>
          <dd><code data-testid="ordering-key">${event.orderingKey}</code></dd>
        </dl>
      </div>
      ${
        canManage(context)
          ? html`<form method="post" action="/portal/events/${event.id}/replay" class="card" data-testid="replay">
              ${csrfField(context.session)}
              <label>Why <input name="reason" required maxlength="1000" value="resent from the portal" /></label>
              <button type="submit" class="primary">Replay this event</button>
            </form>`
          : ''
      }
      <h2>Payload</h2>
      ${json(event.data)}
      <h2>Deliveries</h2>
      ${deliveries.length ? deliveries : html`<p class="muted">No endpoint of yours subscribes to this event.</p>`}`,
  );
}
