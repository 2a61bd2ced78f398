/**
 * The host's end of the private channel to one sandbox process (the design
 * is described in `protocol/channel.ts`): listen, accept exactly one
 * connection, check its token, and from then on exchange JSON lines with it.
 *
 * - Linux and macOS: a Unix socket in a fresh mode-0700 temporary directory;
 *   the child gets read and write access to that one path (and, from Deno
 *   2.9, the matching `unix:` net grant). Once the child
 *   has connected, the listener is closed and the socket and directory are
 *   removed, so nothing else can ever connect.
 * - Windows (untested here): TCP on 127.0.0.1, port chosen by the system; the
 *   child gets net access to that one address, and the token is what shuts
 *   out anything else that connects first.
 *
 * @module
 */
import { join } from "node:path";
import { readLines } from "../protocol/lines.ts";
import { type ChannelAddress, isHello, MAX_HELLO_BYTES, newToken } from "../protocol/channel.ts";
import type { HostCommand } from "../protocol/messages.ts";
import { MAX_LINE_BYTES } from "../protocol/caps.ts";

/** The connected, authenticated channel. */
export interface Channel {
  /** Lines from the sandbox process, each at most `MAX_LINE_BYTES`. */
  lines: AsyncGenerator<string>;
  /** Send one command. */
  send(command: HostCommand): Promise<void>;
  /** Let the connection (not) keep the host process alive while it waits for a line. */
  ref(keep: boolean): void;
  /** Close the connection. */
  close(): void;
}

/** A listener waiting for its one sandbox process. */
export interface PrivateListener {
  /** Where the child connects (passed in its environment). */
  address: ChannelAddress;
  /** What the child must send first (through its environment). */
  token: string;
  /** Paths the child needs read and write access to, to connect. */
  paths: string[];
  /** Net grants the child needs, to connect. */
  net: string[];
  /**
   * Wait for the connection and its token, then stop listening. Rejects if
   * `gone` settles first, or the first line is not the token.
   */
  accept(gone: Promise<unknown>): Promise<Channel>;
  /** Stop listening and remove the socket, if `accept` never ran. */
  close(): Promise<void>;
}

let unixNetGrant: Promise<boolean> | undefined;

/**
 * Whether this Deno wants a net grant (`--allow-net=unix:<path>`) for Unix
 * sockets on top of read and write access: 2.9 does, and older versions
 * reject the form. Asked once per host process by starting the same binary
 * the sandbox process runs (this process's own permission parser is skipped
 * when it runs with `--allow-all`).
 */
function unixNetGrants(): Promise<boolean> {
  unixNetGrant ??= new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--no-config", "--allow-net=unix:/pyfence-probe", "data:,"],
    stdin: "null",
    stdout: "null",
    stderr: "null",
    clearEnv: true,
    env: { DENO_DIR: "/dev/null/pyfence", NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
  }).output().then((r) => r.success);
  return unixNetGrant;
}

/** Start listening for one sandbox process. */
export async function listenPrivate(): Promise<PrivateListener> {
  const token = newToken();
  if (Deno.build.os === "windows") {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const { port } = listener.addr as Deno.NetAddr;
    return wrap(listener, { transport: "tcp", hostname: "127.0.0.1", port }, token, [], [
      `127.0.0.1:${port}`,
    ], async () => {});
  }
  // mkdtemp creates the directory with mode 0700: no other user can reach the socket.
  const dir = await Deno.makeTempDir({ prefix: "pyfence-" });
  const path = join(dir, "s");
  const listener = Deno.listen({ transport: "unix", path });
  return wrap(
    listener,
    { transport: "unix", path },
    token,
    [path],
    await unixNetGrants() ? [`unix:${path}`] : [],
    () => Deno.remove(dir, { recursive: true }).catch(() => {}),
  );
}

function wrap(
  listener: Deno.Listener,
  address: ChannelAddress,
  token: string,
  paths: string[],
  net: string[],
  cleanUp: () => Promise<void>,
): PrivateListener {
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    listener.close();
    await cleanUp();
  };
  return {
    address,
    token,
    paths,
    net,
    close,
    async accept(gone) {
      let conn: Deno.Conn;
      try {
        conn = await Promise.race([
          listener.accept(),
          gone.then(() => {
            throw new Error("the sandbox process exited before it connected");
          }),
        ]);
      } finally {
        await close();
      }
      const lines = readLines(conn.readable, MAX_LINE_BYTES);
      const writer = conn.writable.getWriter();
      const channel: Channel = {
        lines,
        send: (command) => writer.write(new TextEncoder().encode(JSON.stringify(command) + "\n")),
        ref: (keep) => keep ? conn.ref() : conn.unref(),
        close: () => {
          writer.close().catch(() => {});
          try {
            conn.close();
          } catch {
            // already closed
          }
        },
      };
      try {
        const hello = await Promise.race([
          lines.next().then((r) => r.done ? undefined : r.value),
          gone.then(() => undefined),
        ]);
        if (hello === undefined || hello.length > MAX_HELLO_BYTES || !isHello(hello, token)) {
          throw new Error("the sandbox process did not present its token");
        }
      } catch (err) {
        channel.close();
        throw err;
      }
      return channel;
    },
  };
}
