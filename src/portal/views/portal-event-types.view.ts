import { html } from '../../console/html';
import { emptyRow, json, nextPage } from '../../console/views/layout';
import { EventTypeView } from '../../event-types/event-type.view';
import { PortalContext, portalLayout } from './portal-layout';

/** The catalog as a customer reads it: what each type means and, where declared, the shape its payload has. */
export function portalEventTypesPage(
  context: PortalContext,
  types: EventTypeView[],
  nextCursor: string | null,
): string {
  const rows = types.map(
    (type) =>
      html`<tr data-testid="event-type">
        <td><code>${type.name}</code></td>
        <td>
          ${type.description ?? (type.declared ? '' : html`<span class="muted">seen in events, not described</span>`)}
        </td>
        <td>
          ${
            type.schema
              ? html`<details>
                  <summary>JSON Schema</summary>
                  ${json(type.schema)}
                </details>`
              : html`<span class="muted">none</span>`
          }
        </td>
      </tr>`,
  );
  return portalLayout(
    context,
    'Event types',
    html`<h1>Event types</h1>
      <p class="muted">
        The events your endpoints can subscribe to (an endpoint's event types take these names, or patterns such as
        <code>invoice.*</code>). A schema, where a type has one, describes the payload its events carry.
      </p>
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Description</th>
            <th>Payload</th>
          </tr>
        </thead>
        <tbody>
          ${rows.length ? rows : emptyRow(3, 'No event types yet.')}
        </tbody>
      </table>
      ${nextPage('/portal/event-types', {}, nextCursor)}`,
  );
}
