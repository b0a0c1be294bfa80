import type { AccountStore } from '../accounts/account-store.ts';
import type { InvitationService } from '../accounts/invitation-service.ts';
import type { LoginService } from '../accounts/login-service.ts';
import type { MemberService } from '../accounts/member-service.ts';
import type { SessionService } from '../accounts/session-service.ts';
import type { Clock } from '../clock.ts';
import type { RequestOrigin } from '../http/request-origin.ts';
import type { SsoLogin } from '../sso/sso-login.ts';

/** What the dashboard and session-authorised management calls need, built once in createKeystoreApp. */
export interface DashboardDeps {
  accounts: AccountStore;
  sessions: SessionService;
  login: LoginService;
  members: MemberService;
  invitations: InvitationService;
  origin: RequestOrigin;
  clock: Clock;
  /** The dashboard's external origin (KEYSTORE_PUBLIC_URL, no trailing slash): invitation links start with it. */
  publicUrl: () => string;
  /** Single sign-on; unset: the login page offers none. */
  sso?: SsoLogin;
  /** False (KEYSTORE_PASSWORD_LOGIN=off): only SSO logs in. Default true. */
  passwordLogin?: boolean;
}
