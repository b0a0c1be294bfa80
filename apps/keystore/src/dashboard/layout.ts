import type { Role } from '../accounts/roles.ts';
import { CSRF_FIELD } from '../http/csrf.ts';
import { html, type SafeHtml } from './html.ts';

export interface Viewer {
  email: string;
  csrfToken: string;
  /** What the page offers; the server checks it again on every request. */
  role: Role;
}

export interface LayoutOptions {
  title: string;
  /** Undefined on the login page: no navigation, no logout. */
  viewer?: Viewer;
  /** Which nav entry is current. */
  section?: 'keys' | 'webhooks' | 'audit' | 'tokens' | 'team' | 'account';
  body: SafeHtml;
}

export function csrfField(viewer: Viewer): SafeHtml {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${viewer.csrfToken}">`;
}

const navLink = (href: string, label: string, current: boolean) =>
  html`<a href="${href}" ${current ? html`aria-current="page"` : ''}>${label}</a>`;

/** The page shell. Everything it loads comes from this keystore: no CDN, no web fonts. */
export function layout({ title, viewer, section, body }: LayoutOptions): SafeHtml {
  const header =
    viewer === undefined
      ? ''
      : html`<header class="topbar">
  <div class="topbar-inner">
    <a class="brand" href="/keys"><span class="brand-mark" aria-hidden="true">R</span>RouteMCP</a>
    <nav aria-label="Main">${navLink('/keys', 'API Keys', section === 'keys')}${navLink('/webhooks', 'Webhooks', section === 'webhooks')}${navLink('/audit', 'Audit log', section === 'audit')}${navLink('/tokens', 'API tokens', section === 'tokens')}${navLink('/team', 'Team', section === 'team')}${navLink('/account', 'Account', section === 'account')}</nav>
    <div class="account">
      <span class="account-email">${viewer.email}</span>
      <form method="post" action="/logout">${csrfField(viewer)}<button type="submit" class="btn btn-quiet btn-small">Log out</button></form>
    </div>
  </div>
</header>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · RouteMCP</title>
<link rel="stylesheet" href="/assets/dashboard.css">
<script src="/assets/dashboard.js" defer></script>
</head>
<body${viewer === undefined ? html` class="plain"` : ''}>
<a class="skip" href="#main">Skip to content</a>
${header}
<main id="main" tabindex="-1">${body}</main>
</body>
</html>
`;
}
