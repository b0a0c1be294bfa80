import { z } from 'zod';

const port = z.coerce
  .number({ message: 'must be a port number' })
  .int('must be an integer port (0-65535)')
  .min(0, 'must be an integer port (0-65535)')
  .max(65535, 'must be an integer port (0-65535)');

const schema = z.object({
  API_PORT: port.default(5002),
  // Unset means Node's all-interfaces default; the Kubernetes pod pins 127.0.0.1 so only the sidecar can reach it.
  API_HOST: z.string().min(1, 'must not be empty').optional(),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
});

/** The environment variables the api reads (the schema's input). */
export type ApiEnvironment = z.input<typeof schema>;

export interface ApiConfig {
  port: number;
  host: string | undefined;
  logLevel: string;
}

/** Reads and validates the api's environment once; throws naming the offending variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): ApiConfig {
  const blank = (value: string | undefined) => (value === '' ? undefined : value);
  const result = schema.safeParse({
    API_PORT: blank(env.API_PORT),
    API_HOST: env.API_HOST,
    LOG_LEVEL: blank(env.LOG_LEVEL),
  });
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
    throw new Error(`Invalid api configuration: ${problems.join('; ')}`);
  }
  return { port: result.data.API_PORT, host: result.data.API_HOST, logLevel: result.data.LOG_LEVEL };
}
