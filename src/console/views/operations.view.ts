import { AuditTrailEntry } from '../../audit/audit-trail.service';
import { DeadLetterItem } from '../../delivery/delivery-query.service';
import { EndpointView } from '../../endpoints/endpoint.view';
import { replayView } from '../../replay/replay.view';
import { html, SafeHtml } from '../html';
import { auditTable, eventFilterFields } from './events.view';
import { badge, can, csrfField, emptyRow, inputValue, layout, nextPage, PageContext, shortId, when } from './layout';

const SELECT_ALL = html`<th><input type="checkbox" data-select-all aria-label="select all on this page" /></th>`;
const DELIVERY_STATUSES = ['succeeded', 'dead_lettered', 'retrying', 'pending', 'cancelled'];

type ReplayItem = ReturnType<typeof replayView>;

function endpointSelect(name: string, endpoints: EndpointView[], selected: unknown, anyLabel: string): SafeHtml {
  return html`<select name="${name}">
    <option value="">${anyLabel}</option>
    ${endpoints.map(
      (endpoint) =>
        html`<option value="${endpoint.id}" ${endpoint.id === selected ? html`selected` : ''}>${endpoint.url}</option>`,
    )}
  </select>`;
}

export function deadLettersPage(
  context: PageContext,
  endpointId: string | undefined,
  items: DeadLetterItem[],
  matching: number,
  nextCursor: string | null,
  endpoints: EndpointView[],
): string {
  const urls = new Map(endpoints.map((endpoint) => [endpoint.id, endpoint.url]));
  const ops = can(context.session, 'ops');
  const rows = items.map(
    (item) =>
      html`<tr>
        ${ops ? html`<td><input type="checkbox" name="deliveryIds" value="${item.id}" aria-label="select" /></td>` : ''}
        <td>${when(item.deadLetteredAt)}</td>
        <td><a href="/console/endpoints/${item.endpointId}">${urls.get(item.endpointId) ?? item.endpointId}</a></td>
        <td><a href="/console/events/${item.eventId}">${shortId(item.eventId)}</a></td>
        <td class="num">${item.attemptCount}</td>
        <td class="error-text">${item.reason ?? ''}</td>
      </tr>`,
  );
  return layout(
    context,
    'Dead letters',
    html`<form method="get" action="/console/dead-letters" class="filters">
        <label class="wide">Endpoint ${endpointSelect('endpointId', endpoints, endpointId, 'any endpoint')}</label>
        <div class="actions"><button type="submit" class="primary">Filter</button></div>
      </form>
      <form method="post" action="/console/dead-letters/redrive" data-select-form>
        ${ops ? csrfField(context.session) : ''}
        ${endpointId ? html`<input type="hidden" name="endpointId" value="${endpointId}" />` : ''}
        <table class="list" data-testid="dead-letters">
          <thead>
            <tr>
              ${ops ? SELECT_ALL : ''}
              <th>Dead-lettered (UTC)</th>
              <th>Endpoint</th>
              <th>Event</th>
              <th class="num">Attempts</th>
              <th>Reason</th>
            </tr>
          </thead>
          <tbody>
            ${rows.length ? rows : emptyRow(6, 'No dead letters. All deliveries ended well or are still being tried.')}
          </tbody>
        </table>
        ${
          ops && items.length
            ? html`<div class="card inline sticky">
                <label
                  >Reason <input name="reason" required maxlength="1000" placeholder="why, for the audit trail"
                /></label>
                <button type="submit" name="scope" value="selected" class="primary">
                  Redrive selected (<span data-selected-count>0</span>)
                </button>
                <button type="submit" name="scope" value="matching">Redrive all ${matching} matching</button>
              </div>`
            : ''
        }
      </form>
      ${nextPage('/console/dead-letters', { endpointId }, nextCursor)}`,
  );
}

function progress(replay: ReplayItem): SafeHtml {
  const percent = replay.matched
    ? Math.min(100, Math.round((replay.completed / replay.matched) * 100))
    : replay.status === 'completed'
      ? 100
      : 0;
  return html`<progress class="progress" max="100" value="${percent}" title="${percent}%">${percent}%</progress>`;
}

export function replaysPage(
  context: PageContext,
  replays: ReplayItem[],
  nextCursor: string | null,
  endpoints: EndpointView[],
  draft: { filter: Record<string, unknown>; reason?: string; endpointId?: string; matched?: number },
): string {
  const ops = can(context.session, 'ops');
  const rows = replays.map(
    (replay) =>
      html`<tr>
        <td><a href="/console/replays/${replay.id}">${when(replay.createdAt)}</a></td>
        <td>${replay.kind}</td>
        <td>${replay.actor}</td>
        <td>${replay.reason}</td>
        <td>${badge(replay.status)}</td>
        <td class="num">${replay.matched} / ${replay.enqueued} / ${replay.completed}</td>
        <td>${progress(replay)}</td>
      </tr>`,
  );
  const bulkForm = html`<form method="post" action="/console/replays" class="card" data-testid="bulk-replay">
    <h2>Bulk replay</h2>
    ${csrfField(context.session)}
    <p class="muted">Choose events with the same filters as the events list, count them first, then replay.</p>
    <div class="filters">
      ${eventFilterFields(draft.filter)}
      <label
        >Delivery status<select name="deliveryStatus">
          <option value="">any</option>
          ${DELIVERY_STATUSES.map(
            (status) =>
              html`<option value="${status}" ${draft.filter.deliveryStatus === status ? html`selected` : ''}>
                ${status.replace('_', ' ')}
              </option>`,
          )}
        </select></label
      >
      <label>To ${endpointSelect('endpointId', endpoints, draft.endpointId, 'every matching endpoint')}</label>
      <label
        >Reason
        <input name="reason" value="${draft.reason ?? ''}" maxlength="1000" placeholder="why, for the audit trail"
      /></label>
    </div>
    <div class="actions">
      <button type="submit" name="mode" value="count">Count matches (dry run)</button>
      ${
        draft.matched !== undefined
          ? html`<strong data-testid="dry-run-count"
                >${draft.matched} event${draft.matched === 1 ? '' : 's'} match.</strong
              >
              ${
                draft.matched > 0
                  ? html`<button type="submit" name="mode" value="replay" class="primary">
                      Replay ${draft.matched} event${draft.matched === 1 ? '' : 's'}
                    </button>`
                  : ''
              }`
          : ''
      }
    </div>
  </form>`;
  return layout(
    context,
    'Replays',
    html`${ops ? bulkForm : ''}
      <h2>Requests</h2>
      <table class="list">
        <thead>
          <tr>
            <th>Requested (UTC)</th>
            <th>Kind</th>
            <th>By</th>
            <th>Reason</th>
            <th>Status</th>
            <th class="num">Matched / enqueued / completed</th>
            <th>Progress</th>
          </tr>
        </thead>
        <tbody>
          ${rows.length ? rows : emptyRow(7, 'No replay yet.')}
        </tbody>
      </table>
      ${nextPage('/console/replays', {}, nextCursor)}`,
  );
}

export function replayPage(context: PageContext, replay: ReplayItem): string {
  const live = replay.status === 'pending' || replay.status === 'running';
  return layout(
    context,
    `Replay ${replay.id.slice(0, 8)}`,
    html`<div class="card" data-progress-url="/console/replays/${replay.id}/progress" data-testid="replay-progress">
      <p>
        ${html`<span data-field="status">${badge(replay.status)}</span>`} ${replay.kind} replay by
        <strong>${replay.actor}</strong> · “${replay.reason}”
      </p>
      <section class="stats">
        <div class="stat">
          <span class="value" data-field="matched">${replay.matched}</span><span class="label">matched</span>
        </div>
        <div class="stat">
          <span class="value" data-field="enqueued">${replay.enqueued}</span><span class="label">enqueued</span>
        </div>
        <div class="stat">
          <span class="value" data-field="completed">${replay.completed}</span><span class="label">completed</span>
        </div>
      </section>
      ${progress(replay)} ${replay.error ? html`<p class="error">${replay.error}</p>` : ''}
      <p class="muted">
        Requested ${when(replay.createdAt)}${replay.finishedAt ? html` · finished ${when(replay.finishedAt)}` : ''}
      </p>
      <details>
        <summary>Selection</summary>
        <pre class="code">${JSON.stringify(replay.filter, null, 2)}</pre>
      </details>
      ${
        live && can(context.session, 'ops')
          ? html`<form method="post" action="/console/replays/${replay.id}/cancel" data-live-only>
              ${csrfField(context.session)}<button type="submit" class="danger">Cancel replay</button>
            </form>`
          : ''
      }
    </div>`,
  );
}

export function auditPage(
  context: PageContext,
  filter: Record<string, unknown>,
  entries: AuditTrailEntry[],
  nextCursor: string | null,
): string {
  const field = (name: string, label: string, placeholder = '') =>
    html`<label
      >${label}<input name="${name}" value="${inputValue(filter[name])}" placeholder="${placeholder}"
    /></label>`;
  return layout(
    context,
    'Audit trail',
    html`<form method="get" action="/console/audit" class="filters">
        ${field('application', 'Application', 'uid')}${field('actor', 'Actor', 'key name')}
        ${field('action', 'Action', 'replay.requested')} ${field('eventId', 'Event id')}
        ${field('from', 'From', 'ISO')}${field('to', 'To', 'ISO')}
        <div class="actions">
          <button type="submit" class="primary">Search</button><a class="button" href="/console/audit">Clear</a>
        </div>
      </form>
      ${auditTable(entries)} ${nextPage('/console/audit', filter, nextCursor)}`,
  );
}
