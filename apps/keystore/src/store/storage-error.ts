/**
 * The database did not answer (down, unreachable, timed out). Adapters turn
 * their driver's connection failures into this, once; the HTTP edge answers
 * it with 503 instead of 500.
 */
export class StorageUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageUnavailableError';
  }
}
