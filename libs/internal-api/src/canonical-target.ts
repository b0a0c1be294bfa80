declare const canonical: unique symbol;

/**
 * A request target in its one canonical form: the value the permissions and
 * public paths are matched against and the value the upstream receives. Made
 * only by `canonicalTarget` (and `canonicalForm`), so a matcher cannot be
 * handed a raw target.
 */
export type CanonicalTarget = string & { readonly [canonical]: 'target' };
/** A canonical target's path part (no query): what permissions and public paths are matched against. */
export type CanonicalPath = string & { readonly [canonical]: 'path' };

const SLASH = 0x2f;
const DOT = 0x2e;
const PERCENT = 0x25;
const BACKSLASH = 0x5c;
const SEMICOLON = 0x3b;
const QUESTION = 0x3f;
const HASH = 0x23;
const UNRESERVED = /^[A-Za-z0-9\-_~]$/;
const HEX = /^[0-9A-Fa-f]{2}$/;
/** `.` or `..` with path parameters: Tomcat and Spring strip `;…` and then resolve the dot segment. */
const DOT_WITH_PARAMETERS = /^\.\.?(?:;|%3B)/;

/** Why a target has no canonical form (see `canonicalTarget` for why each is refused). */
export const TARGET_REFUSALS = [
  'not-origin-form',
  'leading-double-slash',
  'dot-segment-parameters',
  'encoded-slash',
  'encoded-backslash',
  'encoded-dot',
  'backslash',
  'fragment',
  'bad-escape',
  'above-root',
] as const;
export type TargetRefusal = (typeof TARGET_REFUSALS)[number];

interface Refusal {
  readonly ok: false;
  readonly refused: TargetRefusal;
}
export type CanonicalForm = { readonly ok: true; readonly target: CanonicalTarget } | Refusal;

/** Made once: the proxy's slow path refuses without allocating. */
const REFUSED = Object.fromEntries(
  TARGET_REFUSALS.map((refused) => [refused, Object.freeze({ ok: false, refused })]),
) as { readonly [K in TargetRefusal]: Refusal };

/**
 * The canonical form of an origin-form target, or null when no canonical
 * form is safe to forward. The query (from the first `?`) is kept byte for
 * byte; the path has escapes of unreserved characters decoded and the others
 * upper-cased, interior empty segments collapsed and `.`/`..` resolved (a
 * trailing one leaves a trailing slash).
 *
 * Refused, because upstreams disagree on what they mean and no rewriting
 * makes every reading the one we checked: a leading `//` (a network-path
 * reference to `new URL`), a `.`/`..` segment with parameters (`..;`, also
 * encoded), an encoded `/`, `\` or `.`, a raw `\` (a separator on IIS and to
 * WHATWG URLs), a `#` (a fragment is cut by the upstream's parser, after we
 * matched it), a bad `%` escape, `..` above the root, and anything that is
 * not origin-form.
 */
export function canonicalTarget(target: string): CanonicalTarget | null {
  if (target.charCodeAt(0) !== SLASH) return null;
  let end = target.length;
  let plain = true;
  // One scan: where the path ends, and whether it holds anything but plain segments (most targets do not).
  for (let i = 1; i < end; i++) {
    const c = target.charCodeAt(i);
    if (c === QUESTION) end = i;
    else if (c === PERCENT || c === BACKSLASH || c === SEMICOLON || c === HASH) plain = false;
    // `//` and `/.`: an empty or a dot segment.
    else if ((c === SLASH || c === DOT) && target.charCodeAt(i - 1) === SLASH) plain = false;
  }
  if (end < target.length && target.includes('#', end)) return null;
  if (plain) return target as CanonicalTarget;
  const path = canonicalPathOf(end === target.length ? target : target.slice(0, end));
  if (typeof path !== 'string') return null;
  return (end === target.length ? path : path + target.slice(end)) as CanonicalTarget;
}

/**
 * `canonicalTarget` with the reason when there is no canonical form, for
 * messages (a permission's path is checked with it when a key is saved).
 * Off the proxy's hot path: it allocates its answer.
 */
export function canonicalForm(target: string): CanonicalForm {
  if (target.charCodeAt(0) !== SLASH) return REFUSED['not-origin-form'];
  const query = target.indexOf('?');
  if (query !== -1 && target.includes('#', query)) return REFUSED.fragment;
  const path = canonicalPathOf(query === -1 ? target : target.slice(0, query));
  if (typeof path !== 'string') return path;
  return { ok: true, target: (query === -1 ? path : path + target.slice(query)) as CanonicalTarget };
}

/** Whether `target` is already in canonical form: a forward-auth request naming any other form is refused. */
export function isCanonical(target: string): boolean {
  return canonicalTarget(target) === target;
}

/** The path part of a canonical target. */
export function pathOf(target: CanonicalTarget): CanonicalPath {
  const query = target.indexOf('?');
  return (query === -1 ? target : target.slice(0, query)) as CanonicalPath;
}

function canonicalPathOf(path: string): string | Refusal {
  if (path.charCodeAt(1) === SLASH) return REFUSED['leading-double-slash'];
  if (path.includes('\\')) return REFUSED.backslash;
  if (path.includes('#')) return REFUSED.fragment;
  const decoded = path.includes('%') ? decodeUnreserved(path) : path;
  if (typeof decoded !== 'string') return decoded;
  const parts = decoded.split('/');
  const segments: string[] = [];
  for (let i = 1; i < parts.length; i++) {
    const segment = parts[i]!;
    const last = i === parts.length - 1;
    if (segment === '..') {
      if (segments.length === 0) return REFUSED['above-root'];
      segments.pop();
      if (last) segments.push('');
    } else if (segment === '.' || segment === '') {
      if (last) segments.push('');
    } else if (segment.charCodeAt(0) === DOT && DOT_WITH_PARAMETERS.test(segment)) {
      return REFUSED['dot-segment-parameters'];
    } else {
      segments.push(segment);
    }
  }
  return `/${segments.join('/')}`;
}

function decodeUnreserved(path: string): string | Refusal {
  let out = '';
  let from = 0;
  for (let at = path.indexOf('%'); at !== -1; at = path.indexOf('%', from)) {
    const hex = path.slice(at + 1, at + 3);
    if (!HEX.test(hex)) return REFUSED['bad-escape'];
    const char = String.fromCharCode(Number.parseInt(hex, 16));
    // An encoded `.`, `/` or `\` only ever appears to smuggle a segment past a matcher.
    if (char === '.') return REFUSED['encoded-dot'];
    if (char === '/') return REFUSED['encoded-slash'];
    if (char === '\\') return REFUSED['encoded-backslash'];
    out += path.slice(from, at) + (UNRESERVED.test(char) ? char : `%${hex.toUpperCase()}`);
    from = at + 3;
  }
  return out + path.slice(from);
}
