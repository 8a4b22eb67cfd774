import { EventTypeView } from '../../event-types/event-type.view';
import { html, SafeHtml } from '../html';
import { badge, can, csrfField, emptyRow, json, layout, nextPage, PageContext } from './layout';

/** The schema field of the forms: JSON, pretty-printed when there is one. */
function schemaField(schema: Record<string, unknown> | null, empty: string): SafeHtml {
  return html`<label
    >JSON Schema (draft 2020-12; empty: ${empty})
    <textarea name="schema" rows="8" spellcheck="false" aria-label="JSON Schema">
${schema ? JSON.stringify(schema, null, 2) : ''}</textarea>
  </label>`;
}

/** The catalog of the session's application (contract §7.3): declared types and the names seen in events. */
export function eventTypesPage(
  context: PageContext,
  application: string,
  eventTypes: EventTypeView[],
  nextCursor: string | null,
): string {
  const rows = eventTypes.map(
    (eventType) =>
      html`<tr>
        <td>
          ${
            eventType.declared
              ? html`<a href="/console/event-types/${encodeURIComponent(eventType.name)}"
                  ><code>${eventType.name}</code></a
                >`
              : html`<code>${eventType.name}</code>`
          }
        </td>
        <td>${badge(eventType.declared ? (eventType.archived ? 'archived' : 'declared') : 'seen only')}</td>
        <td>${eventType.schema ? 'yes' : html`<span class="muted">none</span>`}</td>
        <td>${eventType.description ?? ''}</td>
      </tr>`,
  );
  const create = can(context.session, 'admin')
    ? html`<form method="post" action="/console/event-types" class="card" data-testid="create-event-type">
        <h2>Declare an event type</h2>
        ${csrfField(context.session)}
        <label>Name <input name="name" required placeholder="invoice.paid" /></label>
        <label>Description <input name="description" maxlength="2000" /></label>
        ${schemaField(null, 'none')}
        <div class="actions"><button type="submit" class="primary">Declare</button></div>
      </form>`
    : '';
  return layout(
    context,
    `Event types of ${application}`,
    html`<table class="list" data-testid="event-types">
        <thead>
          <tr>
            <th>Name</th>
            <th>State</th>
            <th>Schema</th>
            <th>Description</th>
          </tr>
        </thead>
        <tbody>
          ${rows.length ? rows : emptyRow(4, 'No event type declared or seen yet.')}
        </tbody>
      </table>
      ${nextPage('/console/event-types', {}, nextCursor)} ${create}`,
  );
}

/** One declared type: its schema, and (admin) the form that changes or archives it. */
export function eventTypePage(context: PageContext, eventType: EventTypeView): string {
  const edit = can(context.session, 'admin')
    ? html`<form
        method="post"
        action="/console/event-types/${encodeURIComponent(eventType.name)}"
        class="card"
        data-testid="edit-event-type"
      >
        ${csrfField(context.session)}
        <label>Description <input name="description" maxlength="2000" value="${eventType.description ?? ''}" /></label>
        ${schemaField(eventType.schema, 'unchanged')}
        <label
          ><input type="checkbox" name="archived" ${eventType.archived ? 'checked' : ''} /> Archived (its schema no
          longer applies)</label
        >
        <div class="actions"><button type="submit" class="primary">Save</button></div>
      </form>`
    : eventType.schema
      ? json(eventType.schema)
      : html`<p class="muted">No schema.</p>`;
  return layout(
    context,
    eventType.name,
    html`<p>
        ${badge(eventType.archived ? 'archived' : 'declared')} in application <code>${eventType.application}</code>
      </p>
      ${edit}`,
  );
}
