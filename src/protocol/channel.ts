/**
 * The private channel between the host and a sandbox process: where it is,
 * and how the sandbox process proves it is the one the host started.
 *
 * The child's stdin, stdout and stderr are shared with every worker in it
 * (`Deno.stdin`, `Deno.stdout`, `console.log` need no permission), so the
 * protocol never runs over them. The host listens on a Unix socket in a
 * fresh mode-0700 directory; only the child's main thread is granted read
 * and write access to that one path, and workers hold no permissions at all,
 * so no worker can connect. The child then sends a random token it got
 * through an environment variable (workers have no env access) before
 * anything else, and the host accepts exactly one connection. The address
 * comes through the environment too, not the command line, which every
 * worker could read as `Deno.args`.
 *
 * Windows has no Unix sockets in Deno; there the host listens on TCP
 * loopback (port 0) and the child is granted net access to that one
 * address. The token is then what keeps another local process out (the
 * first connection that fails to present it ends the sandbox). That path is
 * untested here.
 *
 * @module
 */

/** The environment variable that carries the token to the sandbox process. */
export const TOKEN_ENV = "PYFENCE_CHANNEL_TOKEN";

/** The environment variable that carries the channel's address to the sandbox process. */
export const ADDRESS_ENV = "PYFENCE_CHANNEL_ADDRESS";

/** Longest first line the host reads before the token is verified (bytes). */
export const MAX_HELLO_BYTES = 256;

/** Where the host listens; passed to the sandbox process in {@link ADDRESS_ENV}. */
export type ChannelAddress =
  | { transport: "unix"; path: string }
  | { transport: "tcp"; hostname: "127.0.0.1"; port: number };

/** A fresh token: 32 random bytes, hex. */
export function newToken(): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(32)),
    (b) => b.toString(16).padStart(2, "0"),
  )
    .join("");
}

/** The first line the sandbox process sends. */
export function helloLine(token: string): string {
  return JSON.stringify({ t: "hello", token });
}

/** Whether `line` is the hello carrying `token` (compared in constant time). */
export function isHello(line: string, token: string): boolean {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return false;
  }
  if (typeof value !== "object" || value === null) return false;
  const { t, token: sent, ...rest } = value as Record<string, unknown>;
  if (t !== "hello" || typeof sent !== "string" || Object.keys(rest).length) return false;
  if (sent.length !== token.length) return false;
  let diff = 0;
  for (let i = 0; i < token.length; i++) diff |= sent.charCodeAt(i) ^ token.charCodeAt(i);
  return diff === 0;
}

/** The address as the sandbox process receives it. */
export function formatAddress(address: ChannelAddress): string {
  return JSON.stringify(address);
}

/** Parse the address the sandbox process received. */
export function parseAddress(text: string): ChannelAddress {
  const value = JSON.parse(text);
  if (value?.transport === "unix" && typeof value.path === "string") {
    return { transport: "unix", path: value.path };
  }
  if (value?.transport === "tcp" && Number.isInteger(value.port)) {
    return { transport: "tcp", hostname: "127.0.0.1", port: value.port };
  }
  throw new Error(`not a channel address: ${text.slice(0, 200)}`);
}
