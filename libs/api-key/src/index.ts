export {
  CHECKSUM_LENGTH,
  ENVIRONMENTS,
  KEY_LENGTH,
  RANDOM_LENGTH,
  generate,
  hash,
  hint,
  parse,
  redact,
  type Environment,
  type MalformedReason,
  type ParsedKey,
} from './api-key.ts';
