export { errorCatalog, isErrorCode, type ErrorCode } from './codes.ts';
export { errorBody, errorEnvelope, successEnvelope, type ErrorEnvelope, type SuccessEnvelope } from './envelope.ts';
export { HttpError } from './http-error.ts';
export { rawErrorResponse, writeError, writeSuccess } from './write.ts';
