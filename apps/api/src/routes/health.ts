import { writeSuccess } from '@routemcp/errors';
import type { Handler } from './route.ts';

export const health: Handler = (_req, res) => writeSuccess(res, { status: 'ok' });
