import type { IncomingMessage } from 'node:http';
import { HttpError } from '@routemcp/errors';
import { parseInput } from '../keys/key-input.ts';
import { actorName, type KeyAuditor } from '../http/key-audit.ts';
import { accountScope } from '../http/management-routes.ts';
import type { Principal } from '../http/principal.ts';
import { readBody } from '../http/read-body.ts';
import { readJson } from '../http/read-json.ts';
import type { Route, RouteResult } from '../http/router.ts';
import type { GithubPublicKeys } from './github-public-keys.ts';
import { KEY_ID_HEADER, SIGNATURE_HEADER, signatureValid } from './github-signature.ts';
import {
  GITHUB_BODY_LIMIT,
  GITHUB_SOURCE_PREFIX,
  REPORT_BODY_LIMIT,
  githubReportSchema,
  leakReportSchema,
  type GithubVerdict,
} from './leak-input.ts';
import type { LeakItem, LeakService, LeakVerdict } from './leak-service.ts';

export const GITHUB_LEAKS_PATH = '/v1/leaks/github';

export interface LeakRouteDeps {
  leaks: LeakService;
  githubKeys: GithubPublicKeys;
  audit: KeyAuditor;
}

/** The two ways a leaked key reaches us (issue 24): GitHub's secret scanning, and any scanner through the management API. */
export function leakRoutes(deps: LeakRouteDeps): Route[] {
  /** One audit row per key this report was the first to flag; a repeated report writes none. */
  const auditFirst = async (
    req: IncomingMessage,
    principal: Principal | undefined,
    verdicts: readonly LeakVerdict[],
    actor?: string,
  ) => {
    for (const { key, recorded } of verdicts) {
      if (recorded && key !== undefined) await deps.audit(req, principal, 'key.leaked', key, actor);
    }
  };

  return [
    {
      method: 'POST',
      pattern: GITHUB_LEAKS_PATH,
      // Authenticated by GitHub's signature over the body, nothing else: GitHub holds no credential of ours.
      access: 'public',
      async handle({ req, res }): Promise<RouteResult> {
        const identifier = req.headers[KEY_ID_HEADER];
        const signature = req.headers[SIGNATURE_HEADER];
        if (typeof identifier !== 'string' || typeof signature !== 'string' || identifier === '' || signature === '') {
          throw new HttpError('UNAUTHORIZED', 'Missing GitHub signature');
        }
        const body = await readBody(req, GITHUB_BODY_LIMIT);
        const found = await deps.githubKeys.lookup(identifier);
        if (!found.ok) {
          if (found.reason === 'unavailable') {
            throw new HttpError('SERVICE_UNAVAILABLE', 'GitHub signing keys unavailable');
          }
          throw new HttpError('UNAUTHORIZED', 'Invalid GitHub signature');
        }
        if (!signatureValid(body, signature, found.key))
          throw new HttpError('UNAUTHORIZED', 'Invalid GitHub signature');

        const matches = githubReportSchema.safeParse(parseJson(body));
        if (!matches.success) throw new HttpError('BAD_REQUEST', 'body: expected an array of {token,type,url,source}');
        const verdicts = await deps.leaks.report(
          matches.data.map((match) => ({
            token: match.token,
            where: { url: match.url, source: `${GITHUB_SOURCE_PREFIX}${match.source}` },
          })),
          undefined,
          'github',
        );
        await auditFirst(req, undefined, verdicts, 'github');
        const answer = verdicts.map((verdict, i): GithubVerdict => ({
          token_hash: verdict.keyHash,
          token_type: matches.data[i]?.type ?? '',
          label: verdict.label,
        }));
        // GitHub reads a bare array, not our envelope.
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(JSON.stringify(answer));
        return 'handled';
      },
    },
    {
      method: 'POST',
      pattern: '/v1/leaks',
      access: 'management',
      permission: 'leaks.report',
      async handle({ req, principal }) {
        const report = parseInput(leakReportSchema, (await readJson(req, REPORT_BODY_LIMIT)) ?? {});
        const where = { url: report.url, source: report.source };
        const items: LeakItem[] = [
          ...(report.keys ?? []).map((token) => ({ token, where })),
          ...(report.keyHashes ?? []).map((keyHash) => ({ keyHash, where })),
        ];
        const verdicts = await deps.leaks.report(items, accountScope(principal), actorName(principal));
        await auditFirst(req, principal, verdicts);
        return {
          status: 200,
          data: verdicts.map((v) => ({ keyHash: v.keyHash, label: v.label, keyId: v.key?.id ?? null })),
        };
      },
    },
  ];
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    throw new HttpError('BAD_REQUEST', 'body: invalid JSON');
  }
}
