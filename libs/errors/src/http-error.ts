import { errorCatalog, type ErrorCode } from './codes.ts';

/**
 * The one error type that may be thrown towards the HTTP edge. Expected
 * failures travel as values; this exists so the edge handler can tell "ours"
 * (answer with this code) from "unknown" (log, answer 500).
 */
export class HttpError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;

  constructor(code: ErrorCode, message?: string, options?: ErrorOptions) {
    super(message ?? errorCatalog[code].message, options);
    this.name = 'HttpError';
    this.code = code;
    this.statusCode = errorCatalog[code].statusCode;
  }
}
