import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { KeyVerifier } from '../key-lookup/index.ts';
import type { RateLimitDefaults } from '../pipeline/index.ts';
import { checkTunnel, type TunnelGrant } from './tunnel-check.ts';
import type { TunnelCloseReason, TunnelMetrics } from './tunnel-metrics.ts';

/** The part of a socket the registry uses: its byte counts (the idle check) and a way to end it. */
export interface TunnelSocket {
  readonly bytesRead: number;
  readonly bytesWritten: number;
  destroy(): void;
  once(event: 'close', listener: () => void): unknown;
}

export interface NewTunnel extends TunnelGrant {
  /** SHA-256 of the key, what change events and lookups name (never logged); null on a public path. */
  readonly keyHash: string | null;
  readonly keyId: string | null;
  /** The key's expiry as the record the upgrade was admitted on had it. */
  readonly expiresAt: number | null;
  readonly requestId: string;
  readonly client: TunnelSocket;
  readonly upstream: TunnelSocket;
}

export interface OpenTunnelsOptions {
  verifier: KeyVerifier;
  rateLimits: RateLimitDefaults;
  clock: Clock;
  metrics: TunnelMetrics;
  logger: Logger;
  /** No bytes either way for this long closes a tunnel; 0: never. */
  idleTimeoutMs: number;
  /** A tunnel open this long is closed; 0: never. */
  maxLifetimeMs: number;
  /**
   * Each key with open tunnels is asked again this often without an event
   * (CACHE_TTL_MS: a request on a cached key gets no fresher answer), so a
   * change missed while the event stream is down closes its tunnels as soon
   * as it would refuse a request. 0: only on events.
   */
  recheckMs: number;
  /** How often expiry, idleness and lifetime are looked at (and an unanswered re-check retried). */
  sweepMs?: number;
}

interface Tunnel extends NewTunnel {
  readonly openedAt: number;
  /** Client bytes in + out at the last sweep that saw them change, and when. */
  bytes: number;
  activeAt: number;
}

/** The open tunnels of one key: what is known of the key is shared by all of them. */
interface KeyGroup {
  readonly keyHash: string;
  readonly tunnels: Set<Tunnel>;
  expiresAt: number | null;
  /** When the key was last asked about (the first upgrade's admission counts). */
  checkedAt: number;
  /** Bumped by each re-check; an answer to an older one is dropped (a later change may have overtaken it). */
  generation: number;
  checking: boolean;
  /** The last re-check got no answer (keystore unavailable): the next sweep asks again. */
  unsure: boolean;
}

/** Coarse enough to cost nothing, fine enough for "within a second" of an expiry. */
const SWEEP_MS = 250;

/**
 * Every open WebSocket tunnel, by key, so a tunnel follows its key after the
 * 101: the verifier's change listener (fed by the keystore's events) re-checks
 * a changed key's tunnels with the pipeline's own rules (checkTunnel), and a
 * sweep closes tunnels whose key expired (no event comes for that), that sat
 * idle, or that outlived the maximum lifetime, and asks again about keys not
 * asked about for `recheckMs` (events missed while the stream was down).
 *
 * Closing destroys both sockets. A tunnel is raw bytes: a WebSocket close
 * frame cannot be injected safely, since the proxy does not know where the
 * frames in flight begin and end; the client sees the connection drop (1006)
 * and may reconnect, which goes through the pipeline again.
 *
 * Idleness is read off the client socket's byte counters at each sweep (in:
 * client → upstream, out: upstream → client), so nothing runs per chunk.
 */
export class OpenTunnels {
  readonly #options: OpenTunnelsOptions;
  readonly #all = new Set<Tunnel>();
  readonly #byKey = new Map<string, KeyGroup>();
  readonly #sweepMs: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: OpenTunnelsOptions) {
    this.#options = options;
    this.#sweepMs = options.sweepMs ?? SWEEP_MS;
  }

  get size(): number {
    return this.#all.size;
  }

  add(opened: NewTunnel): void {
    const now = this.#options.clock.now();
    const tunnel: Tunnel = { ...opened, openedAt: now, bytes: bytesOf(opened.client), activeAt: now };
    this.#all.add(tunnel);
    if (opened.keyHash !== null) {
      let group = this.#byKey.get(opened.keyHash);
      if (group === undefined) {
        group = {
          keyHash: opened.keyHash,
          tunnels: new Set(),
          expiresAt: null,
          checkedAt: now,
          generation: 0,
          checking: false,
          unsure: false,
        };
        this.#byKey.set(opened.keyHash, group);
      }
      group.tunnels.add(tunnel);
      // The record this upgrade was admitted on is the newest the proxy has seen of the key.
      group.expiresAt = opened.expiresAt;
    }
    opened.client.once('close', () => this.#forget(tunnel));
    this.#timer ??= setInterval(() => this.sweep(), this.#sweepMs).unref();
  }

  /**
   * The keystore said this key changed (null: anything may have, the cache
   * was flushed): re-check its tunnels. Resolves once the answer is applied.
   */
  keyChanged(keyHash: string | null): Promise<void> {
    if (keyHash !== null) {
      const group = this.#byKey.get(keyHash);
      return group === undefined ? Promise.resolve() : this.#recheck(group);
    }
    return Promise.all([...this.#byKey.values()].map((group) => this.#recheck(group))).then(() => undefined);
  }

  /** Closes what expired, idled or lived too long; asks again about keys the keystore could not answer for. */
  sweep(): void {
    const { clock, idleTimeoutMs, maxLifetimeMs, recheckMs } = this.#options;
    const now = clock.now();
    for (const group of this.#byKey.values()) {
      if (group.expiresAt !== null && group.expiresAt <= now) {
        for (const tunnel of [...group.tunnels]) this.#close(tunnel, 'expired');
      } else if (!group.checking && (group.unsure || (recheckMs > 0 && now - group.checkedAt >= recheckMs))) {
        void this.#recheck(group);
      }
    }
    for (const tunnel of [...this.#all]) {
      if (maxLifetimeMs > 0 && now - tunnel.openedAt >= maxLifetimeMs) {
        this.#close(tunnel, 'lifetime');
        continue;
      }
      const bytes = bytesOf(tunnel.client);
      if (bytes !== tunnel.bytes) {
        tunnel.bytes = bytes;
        tunnel.activeAt = now;
      } else if (idleTimeoutMs > 0 && now - tunnel.activeAt >= idleTimeoutMs) {
        this.#close(tunnel, 'idle');
      }
    }
  }

  /** Closes every tunnel (the end of a shutdown's grace period). */
  closeAll(reason: TunnelCloseReason): void {
    for (const tunnel of [...this.#all]) this.#close(tunnel, reason);
    this.#stop();
  }

  async #recheck(group: KeyGroup): Promise<void> {
    const generation = ++group.generation;
    group.checking = true;
    group.checkedAt = this.#options.clock.now();
    // Never rejects; after a change event the cache has let go, so this asks the keystore.
    const verdict = await this.#options.verifier.verify(group.keyHash);
    if (generation !== group.generation) return;
    group.checking = false;
    group.unsure = false;
    const { clock, rateLimits } = this.#options;
    const now = clock.now();
    for (const tunnel of [...group.tunnels]) {
      const check = checkTunnel(verdict, tunnel, now, rateLimits);
      if (check.kind === 'close') this.#close(tunnel, check.reason);
      else if (check.kind === 'unsure') group.unsure = true;
      else group.expiresAt = check.expiresAt;
    }
  }

  #close(tunnel: Tunnel, reason: TunnelCloseReason): void {
    if (!this.#forget(tunnel)) return;
    this.#options.metrics.closed(reason);
    this.#options.logger.info({ keyId: tunnel.keyId, reqId: tunnel.requestId, reason }, 'tunnel closed');
    tunnel.client.destroy();
    tunnel.upstream.destroy();
  }

  /** Drops a tunnel from the registry; false when it was already gone. */
  #forget(tunnel: Tunnel): boolean {
    if (!this.#all.delete(tunnel)) return false;
    if (tunnel.keyHash !== null) {
      const group = this.#byKey.get(tunnel.keyHash);
      group?.tunnels.delete(tunnel);
      if (group?.tunnels.size === 0) this.#byKey.delete(tunnel.keyHash);
    }
    if (this.#all.size === 0) this.#stop();
    return true;
  }

  #stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

function bytesOf(socket: TunnelSocket): number {
  return socket.bytesRead + socket.bytesWritten;
}
