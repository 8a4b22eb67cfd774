import { html, SafeHtml } from '../html';
import { Overview, SystemFigures } from '../console-overview.service';
import { barChart } from './chart';
import { badge, emptyRow, layout, PageContext } from './layout';

function stat(label: string, value: number | string, tone = '', href?: string): SafeHtml {
  const content = html`<span class="value">${value}</span><span class="label">${label}</span>`;
  return href
    ? html`<a class="stat ${tone}" href="${href}">${content}</a>`
    : html`<div class="stat ${tone}">${content}</div>`;
}

type QueueFigures = SystemFigures['queues'][number];

const OUTCOME_TONE: Record<string, string> = { accepted: 'ok', duplicate: 'muted' };

function age(seconds: number): string {
  if (seconds < 1) return '—';
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

export function overviewPage(context: PageContext, overview: Overview): string {
  const lastHour = overview.ingestPerMinute.points.reduce((sum, point) => sum + point.count, 0);
  const lastMinutes = overview.ingestPerMinute.points.slice(-5).reduce((sum, point) => sum + point.count, 0) / 5;
  const { system } = overview;
  const backlog = (name: string) => system?.queues.find((queue) => queue.queue === name);
  const processing = backlog('processing');
  const delivery = backlog('delivery');
  const queued = (queue?: QueueFigures) => (queue ? queue.waiting + queue.delayed : 0);
  const waitingTone = (queue?: QueueFigures) => (queue && queue.oldestWaitingSeconds > 60 ? 'warn' : '');
  const deadLetterTone = overview.deadLettersTotal ? 'bad' : 'ok';
  return layout(
    context,
    'Overview',
    html`<section class="stats">
        ${stat('events / min (last 5 min)', lastMinutes.toFixed(1))}
        ${stat('events in the last hour', lastHour, '', '/console/events')}
        ${system ? stat('processing backlog', queued(processing), waitingTone(processing)) : ''}
        ${system ? stat('delivery backlog', queued(delivery), waitingTone(delivery)) : ''}
        ${stat('dead letters, 24 h', overview.deadLettersTotal, deadLetterTone, '/console/dead-letters')}
        ${system ? stat('outbox backlog', system.outboxBacklog, system.outboxBacklog > 0 ? 'warn' : '') : ''}
      </section>
      <section class="grid2">
        <div class="card">
          <h2>Ingest, events per minute (last hour)</h2>
          ${barChart(overview.ingestPerMinute, 'events received per minute over the last hour', 'events')}
        </div>
        <div class="card">
          <h2>Dead letters per hour (last 24 h)</h2>
          ${barChart(overview.deadLettersPerHour, 'dead letters per hour over the last 24 hours', 'dead letters')}
        </div>
      </section>
      <section class="grid2">
        ${system ? html`<div class="card">${ingressFigures(system)}</div>` : ''}
        <div class="card">${system ? queuesTable(system) : ''} ${endpointsByHealth(overview.endpoints)}</div>
      </section>`,
  );
}

/** What this process's ingress answered, and the stored events by status (every application's). */
function ingressFigures(system: SystemFigures): SafeHtml {
  return html`<h2>Ingress outcomes (this process, since start)</h2>
    <table class="list compact">
      <tbody>
        ${
          system.ingressOutcomes.length
            ? system.ingressOutcomes.map(
                (row) =>
                  html`<tr>
                    <td>
                      <span class="badge badge-${OUTCOME_TONE[row.outcome] ?? 'bad'}">${row.outcome}</span>
                    </td>
                    <td class="num">${row.count}</td>
                  </tr>`,
              )
            : emptyRow(2, 'No webhook received yet.')
        }
      </tbody>
    </table>
    <h2>Stored events by status</h2>
    <table class="list compact">
      <tbody>
        ${
          system.eventsByStatus.length
            ? system.eventsByStatus.map(
                (row) =>
                  html`<tr>
                    <td><a href="/console/events?status=${row.status}">${badge(row.status)}</a></td>
                    <td class="num">${row.count}</td>
                  </tr>`,
              )
            : emptyRow(2, 'Nothing counted yet (the count is refreshed every 30 s).')
        }
      </tbody>
    </table>`;
}

function queuesTable(system: SystemFigures): SafeHtml {
  return html`<h2>Queues</h2>
    <table class="list compact">
      <thead>
        <tr>
          <th>Queue</th>
          <th class="num">Waiting</th>
          <th class="num">Active</th>
          <th class="num">Delayed</th>
          <th class="num">Failed</th>
          <th class="num">Oldest waiting</th>
        </tr>
      </thead>
      <tbody>
        ${system.queues.map(
          (queue) =>
            html`<tr>
              <td>${queue.queue}</td>
              <td class="num">${queue.waiting}</td>
              <td class="num">${queue.active}</td>
              <td class="num">${queue.delayed}</td>
              <td class="num">${queue.failed}</td>
              <td class="num">${age(queue.oldestWaitingSeconds)}</td>
            </tr>`,
        )}
      </tbody>
    </table>`;
}

function endpointsByHealth(endpoints: Overview['endpoints']): SafeHtml {
  const health = { healthy: 0, degraded: 0, paused: 0, disabled: 0 };
  for (const endpoint of endpoints) health[endpoint.enabled ? endpoint.health.state : 'disabled']++;
  const troubled = endpoints.filter((endpoint) => !endpoint.enabled || endpoint.health.state !== 'healthy');
  return html`<h2>Endpoints by health</h2>
    <p>
      ${badge('healthy')} ${health.healthy} &nbsp; ${badge('degraded')} ${health.degraded} &nbsp; ${badge('paused')}
      ${health.paused} &nbsp; ${badge('disabled')} ${health.disabled}
    </p>
    ${
      troubled.length
        ? html`<table class="list compact">
            <tbody>
              ${troubled.map(
                (endpoint) =>
                  html`<tr>
                    <td><a href="/console/endpoints/${endpoint.id}">${endpoint.url}</a></td>
                    <td>${badge(endpoint.enabled ? endpoint.health.state : 'disabled')}</td>
                    <td class="error-text">${endpoint.health.lastError ?? ''}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
        : ''
    }`;
}
