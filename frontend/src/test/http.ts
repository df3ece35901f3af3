/** A tiny fetch stub for tests: route by "METHOD /path", record every request. */

export type Handler = (request: Request) => Response | Promise<Response>;

export interface StubFetch {
  (request: Request): Promise<Response>;
  /** Requests seen, in order (clones, so bodies can still be read). */
  calls: Request[];
  /** Requests seen for "METHOD /path". */
  callsTo: (route: string) => Request[];
  on: (route: string, handler: Handler) => StubFetch;
}

export function json(body: unknown, init: ResponseInit = {}): Response {
  return new Response(JSON.stringify(body), {
    ...init,
    headers: { "Content-Type": "application/json", ...init.headers },
  });
}

export function errorBody(
  status: number,
  code: string,
  message = code,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Response {
  return json({ code, status, message, ...extra }, { status, headers });
}

function routeOf(request: Request): string {
  return `${request.method} ${new URL(request.url).pathname}`;
}

export function stubFetch(): StubFetch {
  const handlers = new Map<string, Handler>();
  const calls: Request[] = [];
  const fetch = (async (request: Request) => {
    calls.push(request.clone());
    const handler = handlers.get(routeOf(request));
    if (!handler) return errorBody(404, "not_found", `no stub for ${routeOf(request)}`);
    return handler(request);
  }) as StubFetch;
  fetch.calls = calls;
  fetch.callsTo = (route) => calls.filter((r) => routeOf(r) === route);
  fetch.on = (route, handler) => {
    handlers.set(route, handler);
    return fetch;
  };
  return fetch;
}

export const deferred = <T = void>() => {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
};
