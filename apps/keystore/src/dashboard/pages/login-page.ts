import { CSRF_FIELD } from '../../http/csrf.ts';
import { html, type SafeHtml } from '../html.ts';
import { layout } from '../layout.ts';

export interface LoginPageOptions {
  loginToken: string;
  email?: string;
  error?: string;
  /** Offer **Sign in with SSO**. */
  sso?: boolean;
  /** False: SSO only, no password form. Default true. */
  passwordLogin?: boolean;
}

export function loginPage({ loginToken, email, error, sso = false, passwordLogin = true }: LoginPageOptions): SafeHtml {
  const body = html`<div class="login">
  <div class="login-brand"><span class="brand-mark" aria-hidden="true">R</span>RouteMCP</div>
  <section class="card login-card" aria-labelledby="login-title">
    <h1 id="login-title">Log in to your dashboard</h1>
    ${error === undefined ? '' : html`<p class="alert alert-error" role="alert">${error}</p>`}
    ${
      !passwordLogin
        ? ''
        : html`<form method="post" action="/login" class="stack">
      <input type="hidden" name="${CSRF_FIELD}" value="${loginToken}">
      <div class="field">
        <label for="email">Email</label>
        <input id="email" name="email" type="email" autocomplete="username" required autofocus value="${email ?? ''}">
      </div>
      <div class="field">
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required>
      </div>
      <button type="submit" class="btn btn-primary btn-block">Log in</button>
    </form>`
    }
    ${!sso ? '' : html`<a class="btn ${passwordLogin ? 'btn-secondary' : 'btn-primary'} btn-block" href="/login/oidc">Sign in with SSO</a>`}
  </section>
  <p class="login-foot">API keys for the RouteMCP API. Keys are shown once and stored only as hashes.</p>
</div>`;
  return layout({ title: 'Log in', body });
}
