/** The images under test: global-setup.ts builds them, or the environment names them. */
export function appImages(): { proxy: string; keystore: string; api: string; redis: string } {
  return {
    proxy: process.env.PROXY_IMAGE ?? 'routemcp/proxy:dev',
    keystore: process.env.KEYSTORE_IMAGE ?? 'routemcp/keystore:dev',
    api: process.env.API_IMAGE ?? 'routemcp/api:dev',
    redis: process.env.REDIS_IMAGE ?? 'redis:7.4-alpine',
  };
}
