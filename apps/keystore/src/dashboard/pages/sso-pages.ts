import { html, type SafeHtml } from '../html.ts';
import { layout } from '../layout.ts';

/**
 * The answer to a successful SSO callback. A 303 to /keys would not do: the
 * redirect chain started at the provider's site, so the browser would not
 * send the SameSite=Strict session cookie with it and /keys would ask for a
 * login again. This page, from our own origin, moves on by itself (the
 * `refresh` header the route sends) or by its link.
 */
export function ssoSignedInPage(email: string): SafeHtml {
  const body = html`<div class="login">
  <div class="login-brand"><span class="brand-mark" aria-hidden="true">R</span>RouteMCP</div>
  <section class="card login-card" aria-labelledby="sso-title">
    <h1 id="sso-title">Signed in</h1>
    <p>Signed in as <strong>${email}</strong>.</p>
    <p><a class="btn btn-primary btn-block" href="/keys">Continue to the dashboard</a></p>
  </section>
</div>`;
  return layout({ title: 'Signed in', body });
}
