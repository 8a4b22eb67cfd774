import { html, SafeHtml } from './html';

describe('html', () => {
  it('escapes every interpolated value, so webhook data never becomes markup', () => {
    const hostile = `<script>alert(1)</script>" onmouseover="x' &amp;`;
    expect(html`<td title="${hostile}">${hostile}</td>`.toString()).toBe(
      '<td title="&lt;script&gt;alert(1)&lt;/script&gt;&quot; onmouseover=&quot;x&#39; &amp;amp;">' +
        '&lt;script&gt;alert(1)&lt;/script&gt;&quot; onmouseover=&quot;x&#39; &amp;amp;</td>',
    );
  });

  it('keeps nested html as markup, joins lists, and drops null, undefined and false', () => {
    const items = ['a<b', 'c'].map((item) => html`<li>${item}</li>`);
    // prettier-ignore
    const list = html`<ul>${items}</ul>`;
    const nothing = html`${null}${undefined}${false}`;
    expect(list.toString() + nothing.toString() + html`${0}`.toString()).toBe('<ul><li>a&lt;b</li><li>c</li></ul>0');
    expect(html`${new SafeHtml('<b>kept</b>')}`.toString()).toBe('<b>kept</b>');
  });
});
