import type { IncomingMessage, ServerResponse } from 'node:http';

/** One handler per method and path; `url` is the parsed request target. */
export type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

/** Methods this path answers; `*` answers any method. */
export type Route = Readonly<Partial<Record<string, Handler>>>;
