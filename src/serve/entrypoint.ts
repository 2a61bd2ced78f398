/**
 * The server as a module for `deno serve` and Deno Deploy, configured from
 * the environment: `PYFENCE_TOKEN` and `PYFENCE_ORIGIN` (optionally
 * `PYFENCE_POLICIES`) for one caller, or `PYFENCE_CONFIG` naming a config
 * file for several. Without a token it refuses to listen anywhere but on
 * loopback.
 *
 * SIGTERM drains it: runs in progress finish (up to 30 s), nothing new
 * starts, then the process exits.
 *
 * @example
 * ```sh
 * PYFENCE_TOKEN=$(openssl rand -hex 32) PYFENCE_ORIGIN=https://a.example \
 *   deno serve -A --port 8000 jsr:@pyfence/pyfence/serve
 * ```
 *
 * @module
 */
import { createHandler, type PyfenceHandler } from "./handler.ts";
import { optionsFromEnv } from "./env.ts";
import { isLoopback } from "./loopback.ts";

async function configured(): Promise<PyfenceHandler> {
  try {
    return createHandler(await optionsFromEnv());
  } catch (err) {
    console.error(`pyfence serve: ${(err as Error).message}`);
    Deno.exit(2);
  }
}

const handler = await configured();

/** Requests whose response is not yet delivered: a drain waits for them (at most 5 s). */
const delivering = new Set<Promise<unknown>>();

try {
  Deno.addSignalListener("SIGTERM", async () => {
    await handler.close();
    await Promise.race([
      Promise.allSettled([...delivering]),
      new Promise((resolve) => setTimeout(resolve, 5000)),
    ]);
    Deno.exit(0);
  });
} catch {
  // No signals here (Windows, some hosts): the platform ends the process.
}

/**
 * The server: `fetch` answers requests; `onListen` refuses a non-loopback
 * address without a token, and otherwise warms the sandboxes up.
 */
const server: Deno.ServeDefaultExport = {
  fetch(request, info) {
    // Settles once the response is sent (or the client has gone).
    const delivered = info.completed.catch(() => {});
    delivering.add(delivered);
    delivered.finally(() => delivering.delete(delivered));
    return handler(request);
  },
  onListen(addr) {
    const where = addr.transport === "tcp" ? addr.hostname : addr.transport;
    if (!handler.requiresToken && !(addr.transport === "tcp" && isLoopback(addr.hostname))) {
      console.error(
        `pyfence serve: no token is configured, so it serves only on loopback, not on ${where}; ` +
          "set PYFENCE_TOKEN (or PYFENCE_CONFIG), or pass --host 127.0.0.1",
      );
      Deno.exit(2);
    }
    const port = addr.transport === "tcp" ? `:${addr.port}` : "";
    console.error(`pyfence serve: listening on ${where}${port}`);
    handler.warm().catch((err) =>
      console.error(`pyfence serve: warming up failed: ${err.message}`)
    );
  },
};
export default server;
