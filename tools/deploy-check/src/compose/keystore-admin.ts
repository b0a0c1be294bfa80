/** The keystore's management API on a published port, with the admin token (what the README's curl does). */
export function keystoreAdmin(keystoreUrl: string, adminToken: string) {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${keystoreUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${adminToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(10_000),
    });
    return { status: res.status, body: (await res.json()) as { data?: Record<string, unknown> } };
  };
  return {
    /** A new key; only the status goes into an error message: the body holds the key. */
    async createKey(environment: 'live' | 'test'): Promise<{ id: string; key: string }> {
      const { status, body } = await call('POST', '/v1/keys', { environment });
      if (status !== 201 || typeof body.data?.key !== 'string') throw new Error(`POST /v1/keys → ${status}`);
      return { id: String(body.data.id), key: body.data.key };
    },
    async revokeKey(id: string): Promise<number> {
      return (await call('POST', `/v1/keys/${id}/revoke`)).status;
    },
    /** `GET /v1/keys/:id`: its status and the key's view (never the key itself). */
    getKey(id: string) {
      return call('GET', `/v1/keys/${id}`);
    },
  };
}
