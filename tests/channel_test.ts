/**
 * The host's private channel to a sandbox process: only a peer that presents
 * the token is accepted, exactly one connection is, and the socket is gone
 * once it has been.
 */
import { equal, ok, rejects } from "assert";
import { dirname } from "node:path";
import { listenPrivate } from "../src/host/channel.ts";
import { helloLine, isHello, newToken } from "../src/protocol/channel.ts";

const encoder = new TextEncoder();
const never = new Promise<never>(() => {});

async function connect(path: string, first: string): Promise<Deno.Conn> {
  const conn = await Deno.connect({ transport: "unix", path });
  await conn.write(encoder.encode(first + "\n"));
  return conn;
}

Deno.test("channel: tokens are random and compared exactly", () => {
  const token = newToken();
  equal(token.length, 64);
  ok(token !== newToken());
  ok(isHello(helloLine(token), token));
  ok(!isHello(helloLine(token.slice(0, -1) + (token.endsWith("0") ? "1" : "0")), token));
  ok(!isHello(helloLine(token + "0"), token));
  ok(!isHello(JSON.stringify({ t: "hello", token, extra: 1 }), token));
  ok(!isHello(token, token));
});

Deno.test({
  name: "channel: the peer with the token is accepted, and the socket removed",
  ignore: Deno.build.os === "windows",
  async fn() {
    const listener = await listenPrivate();
    equal(listener.address.transport, "unix");
    const path = (listener.address as { path: string }).path;
    equal((await Deno.stat(dirname(path))).mode! & 0o777, 0o700);
    const client = await connect(path, helloLine(listener.token));
    const channel = await listener.accept(never);
    await rejects(() => Deno.stat(path), Deno.errors.NotFound);
    await rejects(() => Deno.stat(dirname(path)), Deno.errors.NotFound);
    await channel.send({ t: "exit" });
    const got = new Uint8Array(64);
    const n = await client.read(got);
    equal(new TextDecoder().decode(got.subarray(0, n!)), '{"t":"exit"}\n');
    client.close();
    channel.close();
  },
});

Deno.test({
  name: "channel: a peer without the token is refused",
  ignore: Deno.build.os === "windows",
  async fn() {
    for (const first of [helloLine(newToken()), "x".repeat(300), "{}"]) {
      const listener = await listenPrivate();
      const path = (listener.address as { path: string }).path;
      const client = await connect(path, first);
      await rejects(() => listener.accept(never), Error, "did not present its token");
      await rejects(() => Deno.stat(path), Deno.errors.NotFound);
      client.close();
    }
  },
});

Deno.test({
  name: "channel: accept gives up when the process is gone",
  ignore: Deno.build.os === "windows",
  async fn() {
    const listener = await listenPrivate();
    const path = (listener.address as { path: string }).path;
    await rejects(() => listener.accept(Promise.resolve()), Error, "exited before it connected");
    await rejects(() => Deno.stat(path), Deno.errors.NotFound);
  },
});
