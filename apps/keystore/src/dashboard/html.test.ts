import { describe, expect, expectTypeOf, it } from 'vitest';
import { html, raw, SafeHtml } from './html.ts';
import { layout } from './layout.ts';
import { sendHtml } from './page-kit.ts';
import { auditPage } from './pages/audit-page.ts';
import { errorPage } from './pages/error-page.ts';
import { keysPage } from './pages/keys-page.ts';
import { loginPage } from './pages/login-page.ts';

describe('html', () => {
  it('escapes interpolated text, attributes included', () => {
    const name = `<script>alert("x")</script>' &`;
    expect(html`<p title="${name}">${name}</p>`.markup).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; &amp;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; &amp;</p>',
    );
  });

  it('nests safe fragments and arrays, drops empty values', () => {
    const items = ['a<', 'b'].map((t) => html`<li>${t}</li>`);
    expect(html`<ul>${items}</ul>${null}${undefined}${false}${raw('<hr>')}${0}`.markup).toBe(
      '<ul><li>a&lt;</li><li>b</li></ul><hr>0',
    );
  });

  it('trusts only a real SafeHtml: a look-alike object is escaped, and nothing else can make one', () => {
    const lookAlike = { markup: '<script>', __html: '<script>' } as unknown as SafeHtml;
    expect(html`${lookAlike}`.markup).not.toContain('<script>');
    const forged = Symbol('SafeHtml') as never;
    expect(() => new SafeHtml(forged, '<script>')).toThrow(TypeError);
  });
});

describe('SafeHtml, the type', () => {
  it('is what html and raw make, what pages return and what the writer takes; a string is none of them', () => {
    expectTypeOf(html`<p></p>`).toEqualTypeOf<SafeHtml>();
    expectTypeOf(raw('<hr>')).toEqualTypeOf<SafeHtml>();
    expectTypeOf(layout).returns.toEqualTypeOf<SafeHtml>();
    expectTypeOf(errorPage).returns.toEqualTypeOf<SafeHtml>();
    expectTypeOf(loginPage).returns.toEqualTypeOf<SafeHtml>();
    expectTypeOf(keysPage).returns.toEqualTypeOf<SafeHtml>();
    expectTypeOf(auditPage).returns.toEqualTypeOf<SafeHtml>();
    expectTypeOf(sendHtml).parameter(2).toEqualTypeOf<SafeHtml>();

    const userInput = '<img src=x onerror=alert(1)>';
    // @ts-expect-error a plain string is not markup
    const fromString: SafeHtml = `<p>${userInput}</p>`;
    // @ts-expect-error nor is an object shaped like one
    const fromObject: SafeHtml = { markup: userInput };
    // @ts-expect-error a page is no string either: only sendHtml unwraps it
    const asString: string = errorPage({ title: 't', message: 'm' });
    // @ts-expect-error a layout body must be escaped markup
    layout({ title: 't', body: `<p>${userInput}</p>` });
    expect([fromString, fromObject, asString]).toHaveLength(3);
  });
});
