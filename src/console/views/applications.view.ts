import { ApplicationView } from '../../applications/application.view';
import { html } from '../html';
import { badge, csrfField, emptyRow, layout, nextPage, PageContext } from './layout';

/** The application picker of a global key's session: which application the console's pages show. */
export function applicationsPage(
  context: PageContext,
  applications: ApplicationView[],
  nextCursor: string | null,
): string {
  const { session } = context;
  const shown = session.application?.uid;
  const pick = (uid: string, label: string) =>
    html`<form method="post" action="/console/application">
      ${csrfField(session)}<input type="hidden" name="application" value="${uid}" />
      <button type="submit" class="${uid ? '' : 'primary'}">${label}</button>
    </form>`;
  return layout(
    context,
    'Applications',
    html`<p class="muted">
        The console's pages show ${shown ? html`application <strong>${shown}</strong>` : 'every application'}. Picking
        one confines every page to it, as its application keys see it, until you pick another or sign out.
      </p>
      ${shown ? pick('', 'Show every application') : ''}
      <table class="list" data-testid="applications">
        <thead>
          <tr>
            <th>Uid</th>
            <th>Name</th>
            <th>State</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          ${
            applications.length
              ? applications.map(
                  (application) =>
                    html`<tr>
                      <td><code>${application.uid}</code></td>
                      <td>${application.name}</td>
                      <td>${badge(application.enabled ? 'enabled' : 'disabled')}</td>
                      <td>
                        ${application.uid === shown ? html`<span class="muted">shown</span>` : pick(application.uid, 'Show')}
                      </td>
                    </tr>`,
                )
              : emptyRow(4, 'No application yet.')
          }
        </tbody>
      </table>
      ${nextPage('/console/applications', {}, nextCursor)}`,
  );
}
