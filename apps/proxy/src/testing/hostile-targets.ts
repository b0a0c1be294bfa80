/**
 * The differential suite's hostile request targets, shared by every entrance
 * that must "forward exactly what was checked" (the proxy's HTTP requests and
 * upgrades, forward auth): checked with a key whose permissions are
 * PERMISSIONS, each is refused with a status or forwarded as exactly the
 * target given.
 */
export const PERMISSIONS = ['GET /public/**', 'GET /api/v1/contacts'];
/** What those permissions allow, written out by hand. */
export const permitted = (path: string) =>
  path === '/api/v1/contacts' || path === '/public' || path.startsWith('/public/');

/** A target, and what must happen to it: refused with a status, or forwarded as exactly this target. */
export const HOSTILE: readonly (readonly [string, 400 | 403 | string])[] = [
  // The cases.
  ['//public/api/v1/contacts', 400],
  ['/api/v1/admin/../contacts', '/api/v1/contacts'],
  ['/api/v1/deals/..;/contacts', 400],
  ['/public/..;/api/v1/deals', 400],
  // Empty segments: leading ones are a network-path reference to `new URL`, interior ones collapse.
  ['//x', 400],
  ['///public/x', 400],
  ['/api//v1/contacts', '/api/v1/contacts'],
  ['/public//x//y', '/public/x/y'],
  // Dot segments resolve; a trailing one leaves a trailing slash.
  ['/./public/x', '/public/x'],
  ['/public/x/.', '/public/x/'],
  ['/public/x/..', '/public/'],
  ['/public/..', 403],
  ['/public/../api/v1/contacts', '/api/v1/contacts'],
  ['/public/../api/v1/deals', 403],
  ['/..', 400],
  ['/public/x/../../../etc/passwd', 400],
  // Tomcat's path parameters on dot segments.
  ['/public/.;/x', 400],
  ['/public/..;jsessionid=1/x', 400],
  ['/public/..%3B/api', 400],
  ['/public/..%3b/api', 400],
  ['/public/.%3bx/api', 400],
  ['/public/x;/../../api/v1/deals', 403],
  ['/public/;/x', '/public/;/x'],
  ['/api/v1/contacts;jsessionid=1', 403],
  // Absolute-form is origin-form after the same rules.
  ['http://api.example/..', 400],
  ['http://api.example//public/x', 400],
  ['http://api.example/public/../api/v1/contacts?a=1', '/api/v1/contacts?a=1'],
  ['http://api.example', 403],
  // Encoded separators and dots are never decoded into one.
  ['/public/%2e%2e/api/v1/deals', 400],
  ['/public/%2E%2E/api/v1/deals', 400],
  ['/public/%2e/x', 400],
  ['/public/.%2e/x', 400],
  ['/public%2F..%2Fapi/v1/deals', 400],
  ['/public/x%2fy', 400],
  ['/public/%5C../api', 400],
  ['/public/%5c', 400],
  ['/api/v1/contacts/..%2F..', 400],
  // Double encoding is data, not a separator: forwarded as it came.
  ['/public/%252e%252e/api', '/public/%252e%252e/api'],
  // Backslashes, bad escapes, fragments.
  ['/public\\..\\api', 400],
  ['/public/x\\y', 400],
  ['/public/%zz', 400],
  ['/public/%2', 400],
  ['/public/x#/../../api/v1/deals', 400],
  // Unreserved escapes decoded, others upper-cased; the query untouched.
  ['/api/v1/%63ontacts', '/api/v1/contacts'],
  ['/%70ublic/a%2db%7e', '/public/a-b~'],
  ['/public/caf%c3%a9', '/public/caf%C3%A9'],
  ['/public/a%20b?q=%2e%2e/..&r=//x', '/public/a%20b?q=%2e%2e/..&r=//x'],
  ['/api/v1/contacts?', '/api/v1/contacts?'],
  ['/api/v1/contacts?x=/../admin', '/api/v1/contacts?x=/../admin'],
  // Bytes a WHATWG URL would percent-encode: sent as checked, on upgrades too.
  ['/public/a{b}|c', '/public/a{b}|c'],
  ["/public/x?q='a'&r=<b>", "/public/x?q='a'&r=<b>"],
  // Look-alikes that are not the permitted path.
  ['/api/v1/contacts/', 403],
  ['/api/v1/contacts/.', 403],
  ['/api/v1/contacts.', 403],
  ['/PUBLIC/x', 403],
  ['/public/x.', '/public/x.'],
  ['/public/...', '/public/...'],
  ['/publicx', 403],
];
