import { EventQueryDto } from '../../events/dto/event-query.dto';
import { detailView, listItem } from '../../events/event-views';
import { EndpointView } from '../../endpoints/endpoint.view';
import { html, SafeHtml, text } from '../html';
import {
  badge,
  can,
  csrfField,
  emptyRow,
  inputValue,
  json,
  layout,
  nextPage,
  PageContext,
  shortId,
  when,
} from './layout';

const EVENT_STATUSES = [
  'received',
  'queued',
  'processing',
  'delivered',
  'partially_delivered',
  'failed',
  'no_subscribers',
];

type EventItem = ReturnType<typeof listItem>;
type EventDetail = ReturnType<typeof detailView>;

/** A response as recorded by the delivery worker (headers and truncated body). */
export interface AttemptResponse {
  number: number;
  url: string;
  outcome: string;
  responseHeaders: unknown;
  responseBody: string | null;
}

function field(name: string, label: string, value: unknown, placeholder = ''): SafeHtml {
  return html`<label
    >${label}<input name="${name}" value="${inputValue(value)}" placeholder="${placeholder}"
  /></label>`;
}

function statusSelect(name: string, statuses: string[], selected: unknown, label = 'Status'): SafeHtml {
  const options = statuses.map(
    (status) =>
      html`<option value="${status}" ${status === selected ? html`selected` : ''}>
        ${status.replace(/_/g, ' ')}
      </option>`,
  );
  return html`<label
    >${label}<select name="${name}">
      <option value="">any</option>
      ${options}
    </select></label
  >`;
}

export function eventFilterFields(filter: Partial<EventQueryDto>): SafeHtml {
  return html`${statusSelect('status', EVENT_STATUSES, filter.status)}
  ${field('integration', 'Integration', filter.integration, 'stripe')} ${field('provider', 'Provider', filter.provider)}
  ${field('type', 'Type', filter.type, 'invoice.*')} ${field('externalId', 'External id', filter.externalId)}
  ${field('from', 'Received from', filter.from, 'ISO, e.g. 2026-11-30T00:00Z')} ${field('to', 'to', filter.to)}`;
}

export function eventsPage(
  context: PageContext,
  query: EventQueryDto,
  events: EventItem[],
  nextCursor: string | null,
): string {
  const { limit, cursor, ...filter } = query;
  void limit;
  const rows = events.map(
    (event) =>
      html`<tr>
        <td><a href="/console/events/${event.id}">${when(event.receivedAt)}</a></td>
        <td>${badge(event.status)}</td>
        <td>${event.integration}</td>
        <td><a href="/console/events/${event.id}">${event.type}</a></td>
        <td><code>${event.externalId ?? ''}</code></td>
        <td>${shortId(event.id)}</td>
      </tr>`,
  );
  return layout(
    context,
    'Events',
    html`<form method="get" action="/console/events" class="filters">
        ${eventFilterFields(filter)}
        <div class="actions">
          <button type="submit" class="primary">Filter</button><a class="button" href="/console/events">Clear</a>
        </div>
      </form>
      ${cursor ? html`<p class="muted">Continuing from an earlier page · <a href="/console/events">newest</a></p>` : ''}
      <table class="list" data-testid="events">
        <thead>
          <tr>
            <th>Received (UTC)</th>
            <th>Status</th>
            <th>Integration</th>
            <th>Type</th>
            <th>External id</th>
            <th>Id</th>
          </tr>
        </thead>
        <tbody>
          ${rows.length ? rows : emptyRow(6, 'No event matches these filters.')}
        </tbody>
      </table>
      ${nextPage('/console/events', filter, nextCursor)}`,
  );
}

function headersTable(headers: unknown): SafeHtml {
  const entries = Object.entries((headers ?? {}) as Record<string, unknown>);
  if (!entries.length) return html`<p class="muted">none</p>`;
  return html`<table class="kv">
    ${entries.map(
      ([name, value]) =>
        html`<tr>
          <th>${name}</th>
          <td><code>${text(value)}</code></td>
        </tr>`,
    )}
  </table>`;
}

function deliveriesSection(
  event: EventDetail,
  responses: Map<string, AttemptResponse[]>,
  endpoints: Map<string, EndpointView>,
): SafeHtml {
  if (!event.deliveries.length) return html`<p class="muted">No deliveries: no endpoint's filter matched.</p>`;
  return html`${event.deliveries.map((delivery) => {
    const endpoint = endpoints.get(delivery.endpointId);
    const recorded = responses.get(delivery.id) ?? [];
    const attempts = delivery.attempts.map((attempt) => {
      const response = recorded.find((item) => item.number === attempt.number);
      return html`<tr>
        <td>#${attempt.number}</td>
        <td>${when(attempt.startedAt)}</td>
        <td>${httpStatus(attempt.responseStatus)}</td>
        <td>${attempt.durationMs} ms</td>
        <td>${response?.outcome ?? ''}${attempt.error ? html`<div class="error-text">${attempt.error}</div>` : ''}</td>
        <td>
          <details>
            <summary>response</summary>
            <h4>Headers</h4>
            ${headersTable(response?.responseHeaders)}
            <h4>Body</h4>
            <pre class="code">${response?.responseBody ?? ''}</pre>
          </details>
        </td>
      </tr>`;
    });
    return html`<section class="delivery" data-testid="delivery">
      <h3>
        ${badge(delivery.status)} to
        <a href="/console/endpoints/${delivery.endpointId}">${endpoint?.url ?? delivery.endpointId}</a>
        <span class="muted">· ${delivery.attemptCount} attempt${delivery.attemptCount === 1 ? '' : 's'}</span>
      </h3>
      <table class="list attempts">
        <thead>
          <tr>
            <th>Attempt</th>
            <th>Started</th>
            <th>Status</th>
            <th>Duration</th>
            <th>Outcome</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          ${attempts.length ? attempts : emptyRow(6, 'No attempt yet.')}
        </tbody>
      </table>
    </section>`;
  })}`;
}

function replayForm(context: PageContext, event: EventDetail, endpoints: Map<string, EndpointView>): SafeHtml {
  if (!can(context.session, 'ops')) return html``;
  const choices = [...new Set(event.deliveries.map((delivery) => delivery.endpointId))].map(
    (id) => html`<option value="${id}">only ${endpoints.get(id)?.url ?? id}</option>`,
  );
  return html`<form
    method="post"
    action="/console/events/${event.id}/replay"
    class="card inline"
    data-testid="replay-form"
  >
    ${csrfField(context.session)}
    <label>Reason <input name="reason" required maxlength="1000" placeholder="why, for the audit trail" /></label>
    <label
      >To
      <select name="endpointId">
        <option value="">every matching endpoint</option>
        ${choices}
      </select></label
    >
    <button type="submit" class="primary">Replay</button>
  </form>`;
}

export function eventPage(
  context: PageContext,
  event: EventDetail,
  responses: Map<string, AttemptResponse[]>,
  endpoints: Map<string, EndpointView>,
  traceUrl: string | null,
): string {
  const raw = event.raw;
  return layout(
    context,
    `${event.type}`,
    html`<div class="summary">
        <div>${badge(event.status)}</div>
        <dl>
          <dt>Event</dt>
          <dd><code>${event.id}</code></dd>
          <dt>Integration</dt>
          <dd>${event.integration} <span class="muted">(${event.provider})</span></dd>
          <dt>External id</dt>
          <dd><code>${event.externalId ?? ''}</code></dd>
          <dt>Received</dt>
          <dd>${when(event.receivedAt)}</dd>
          <dt>Occurred</dt>
          <dd>${when(event.occurredAt)}</dd>
          <dt>Ordering key</dt>
          <dd><code data-testid="ordering-key">${event.orderingKey}</code></dd>
          ${
            traceUrl
              ? html`<dt>Trace</dt>
                  <dd><a href="${traceUrl}" target="_blank" rel="noopener">open in Jaeger</a></dd>`
              : ''
          }
        </dl>
      </div>
      ${replayForm(context, event, endpoints)}
      <h2>Deliveries</h2>
      ${deliveriesSection(event, responses, endpoints)}
      <h2>Payload</h2>
      ${json(event.data)}
      <h2>Raw request</h2>
      ${
        raw
          ? html`<p class="muted">
                From ${raw.sourceIp ?? 'unknown address'} · body
                ${raw.bodyEncoding === 'base64' ? 'in base64 (not valid UTF-8)' : 'exactly as received'}
              </p>
              ${headersTable(raw.headers)}
              <pre class="code" data-testid="raw-body">${raw.body}</pre>`
          : html`<p class="muted">Purged by retention.</p>`
      }
      <h2>Replays</h2>
      ${
        event.replays.length
          ? html`<table class="list">
              <thead>
                <tr>
                  <th>Requested</th>
                  <th>By</th>
                  <th>Reason</th>
                  <th>Status</th>
                </tr>
              </thead>
              <tbody>
                ${event.replays.map(
                  (replay) =>
                    html`<tr>
                      <td><a href="/console/replays/${replay.id}">${when(replay.createdAt)}</a></td>
                      <td>${replay.actor}</td>
                      <td>${replay.reason}</td>
                      <td>${badge(replay.status)}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`
          : html`<p class="muted">Never replayed.</p>`
      }
      <h2>Audit</h2>
      ${auditTable(event.audit)}`,
  );
}

/** Audit subjects that have a console page. */
const SUBJECT_PAGES: Record<string, string> = { endpoint: '/console/endpoints', replay_request: '/console/replays' };

function subjectLink(type: string, id: string): SafeHtml {
  return SUBJECT_PAGES[type] ? html`<a href="${SUBJECT_PAGES[type]}/${id}">${shortId(id)}</a>` : shortId(id);
}

/** A receiver's status code, coloured by class; none when the attempt got no answer. */
export function httpStatus(status: number | null): SafeHtml {
  if (status === null) return html`<span class="muted">no answer</span>`;
  return html`<span class="http http-${String(status)[0]}">${status}</span>`;
}

export function auditTable(
  entries: {
    at: string;
    actor: string;
    action: string;
    subjectType: string;
    subjectId: string;
    details: unknown;
    eventId?: string;
  }[],
): SafeHtml {
  if (!entries.length) return html`<p class="muted">No audit entries.</p>`;
  return html`<table class="list" data-testid="audit">
    <thead>
      <tr>
        <th>At (UTC)</th>
        <th>Actor</th>
        <th>Action</th>
        <th>Subject</th>
        <th>Details</th>
      </tr>
    </thead>
    <tbody>
      ${entries.map(
        (entry) =>
          html`<tr>
            <td>${when(entry.at)}</td>
            <td>${entry.actor}</td>
            <td><code>${entry.action}</code></td>
            <td>
              ${entry.subjectType} ${subjectLink(entry.subjectType, entry.subjectId)}
              ${entry.eventId ? html` · <a href="/console/events/${entry.eventId}">event</a>` : ''}
            </td>
            <td><code class="details">${text(entry.details)}</code></td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}
