import { pino, type Logger } from 'pino';

export function createLogger(level: string): Logger {
  // Belt and braces: no route logs a body or an Authorization header, and these paths are censored if one ever does.
  return pino({ level, base: { service: 'keystore' }, redact: ['req.headers.authorization', 'key', '*.key'] });
}
