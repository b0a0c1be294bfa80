const UNRESERVED = /^[A-Za-z0-9\-_~]$/;
const HEX = /^[0-9A-Fa-f]{2}$/;

/**
 * The path part of a request target in one canonical form: only unreserved
 * characters decoded, other escapes upper-cased, `//` collapsed, `.` and `..`
 * resolved. Returns null when the path is unsafe to normalise (encoded `/`,
 * `\` or `.`, a raw backslash, a bad escape, `..` above the root): such a path
 * is treated as "not one we recognise", never rewritten into one we do.
 */
export function normalisePath(target: string): string | null {
  const query = target.indexOf('?');
  const path = query === -1 ? target : target.slice(0, query);
  if (path[0] !== '/' || path.includes('\\')) return null;
  const decoded = path.includes('%') ? decodeUnreserved(path) : path;
  if (decoded === null) return null;
  if (!decoded.includes('//') && !decoded.includes('/.')) return decoded;
  const segments: string[] = [];
  const parts = decoded.split('/');
  for (let i = 1; i < parts.length; i++) {
    const segment = parts[i]!;
    const last = i === parts.length - 1;
    if (segment === '..') {
      if (segments.length === 0) return null;
      segments.pop();
      if (last) segments.push('');
    } else if (segment === '.' || segment === '') {
      if (last) segments.push('');
    } else {
      segments.push(segment);
    }
  }
  return `/${segments.join('/')}`;
}

function decodeUnreserved(path: string): string | null {
  let out = '';
  let from = 0;
  for (let at = path.indexOf('%'); at !== -1; at = path.indexOf('%', from)) {
    const hex = path.slice(at + 1, at + 3);
    if (!HEX.test(hex)) return null;
    const char = String.fromCharCode(Number.parseInt(hex, 16));
    // An encoded `.`, `/` or `\` only ever appears to smuggle a segment past a matcher.
    if (char === '.' || char === '/' || char === '\\') return null;
    out += path.slice(from, at) + (UNRESERVED.test(char) ? char : `%${hex.toUpperCase()}`);
    from = at + 3;
  }
  return out + path.slice(from);
}
