import { errorCatalog, type ErrorCode } from './codes.ts';

export interface ErrorEnvelope {
  success: false;
  statusCode: number;
  message: string;
  code: ErrorCode;
}

export interface SuccessEnvelope<T> {
  success: true;
  data: T;
}

/** Builds the envelope with its fields in the docs' order: success, statusCode, message, code. */
export function errorEnvelope(code: ErrorCode, message?: string): ErrorEnvelope {
  const entry = errorCatalog[code];
  return { success: false, statusCode: entry.statusCode, message: message ?? entry.message, code };
}

export function successEnvelope<T>(data: T): SuccessEnvelope<T> {
  return { success: true, data };
}

const cachedBodies = new Map<ErrorCode, string>();

/** The serialised envelope; default-message bodies are built once, they sit on hot paths (every 401/429). */
export function errorBody(code: ErrorCode, message?: string): string {
  if (message !== undefined) return JSON.stringify(errorEnvelope(code, message));
  let body = cachedBodies.get(code);
  if (body === undefined) {
    body = JSON.stringify(errorEnvelope(code));
    cachedBodies.set(code, body);
  }
  return body;
}
