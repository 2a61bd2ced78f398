/**
 * Two HTTP servers on 127.0.0.1 (two ports: two origins) for network tests.
 * They count their hits so a test can prove a request never arrived.
 */

/** A running test server. */
export interface TestServer {
  port: number;
  hits: number;
}

/** Start servers `a` and `b`; `close()` stops both. */
export function startServers(
  handler?: (req: Request, port: number) => Response | Promise<Response>,
): { a: TestServer; b: TestServer; close(): Promise<void> } {
  const make = (): { server: Deno.HttpServer; state: TestServer } => {
    const state: TestServer = { port: 0, hits: 0 };
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      (req) => {
        state.hits++;
        return handler ? handler(req, state.port) : new Response(`hello from ${state.port}`);
      },
    );
    state.port = server.addr.port;
    return { server, state };
  };
  const a = make();
  const b = make();
  return {
    a: a.state,
    b: b.state,
    async close() {
      await Promise.all([a.server.shutdown(), b.server.shutdown()]);
    },
  };
}
