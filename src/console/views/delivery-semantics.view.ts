import { EndpointView } from '../../endpoints/endpoint.view';
import { html, SafeHtml } from '../html';
import { csrfField, when } from './layout';

/**
 * The parts of an endpoint page about how it is delivered to (contract §7.4-§7.6), shared by the console and the
 * portal: what the summary says, the ordering field of the edit form, and the transformation's form.
 */

/** §7.6: during a rotation's grace period, when the previous secret stops signing. */
function signingText(endpoint: EndpointView): SafeHtml {
  return endpoint.previousSecretExpiresAt
    ? html`the new and the previous secret (both signatures) until ${when(endpoint.previousSecretExpiresAt)}`
    : html`one secret`;
}

function orderingText(endpoint: EndpointView): string {
  return endpoint.ordering === 'fifo' ? 'FIFO: one delivery at a time per ordering key, in receive order' : 'none';
}

function transformationText(endpoint: EndpointView): string {
  if (!endpoint.transformation) return 'none';
  return endpoint.transformation.enabled ? 'runs on every delivery' : 'kept, not run';
}

/** The summary rows an endpoint page shows of these, the same in the console and the portal. */
export function deliverySemanticsRows(endpoint: EndpointView): SafeHtml {
  return html`<dt>Rate limit</dt>
    <dd>${endpoint.rateLimitPerSecond ? `${endpoint.rateLimitPerSecond} per second` : 'none'}</dd>
    <dt>Ordering</dt>
    <dd data-testid="ordering">${orderingText(endpoint)}</dd>
    <dt>Transformation</dt>
    <dd data-testid="transformation-state">${transformationText(endpoint)}</dd>
    <dt>Signed with</dt>
    <dd data-testid="signing-secrets">${signingText(endpoint)}</dd>`;
}

export function orderingField(current: EndpointView['ordering'] | undefined): SafeHtml {
  return html`<label
    >Ordering
    <select name="ordering">
      <option value="none" ${current !== 'fifo' ? 'selected' : ''}>none</option>
      <option value="fifo" ${current === 'fifo' ? 'selected' : ''}>FIFO per ordering key</option>
    </select></label
  >`;
}

const TRANSFORMATION_EXAMPLE =
  'function handler(webhook) {\n  // change webhook.payload, .headers, .url or .method\n  return webhook;\n}';

/** §7.4: the endpoint's JavaScript, edited in place; checked in the sandbox when saved. */
export function transformationForm(
  session: { csrfToken: string },
  action: string,
  transformation: EndpointView['transformation'],
): SafeHtml {
  return html`<form method="post" action="${action}" class="card" data-testid="transformation">
    ${csrfField(session)}
    <h2>Transformation</h2>
    <p class="muted">
      JavaScript run before each delivery is signed (50 ms of CPU, 16 MiB, no network): return the webhook changed, or
      <code>{ cancel: true }</code> to skip it. Empty removes it.
    </p>
    <textarea
      name="code"
      rows="8"
      spellcheck="false"
      placeholder="${TRANSFORMATION_EXAMPLE}"
      aria-label="transformation code"
    >
${transformation?.code ?? ''}</textarea>
    <label
      ><input type="checkbox" name="enabled" ${!transformation || transformation.enabled ? 'checked' : ''} /> Run it on
      deliveries</label
    >
    <div class="actions"><button type="submit" class="primary">Save transformation</button></div>
  </form>`;
}
