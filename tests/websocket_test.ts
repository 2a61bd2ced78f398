/**
 * WebSocket (`pyfence.web.WebSocket`): only to the script's origin (ws = http,
 * wss = https) or a listed CORS origin, with the script's `Origin` on the
 * handshake; caps on sockets, messages and sizes; sockets closed when the
 * run ends; and, with the guard off, the worker's net permission alone still
 * refuses another port. Real loopback servers: two ports, two origins.
 */
import { deepEqual, equal, match, ok } from "assert";
import { Sandbox } from "../src/host/sandbox.ts";
import { unguardedForTests } from "../src/host/internal.ts";
import { startServers } from "./helpers/servers.ts";

/** An echo server that first says which `Origin` and `Cookie` its handshake carried. */
function wsServers() {
  const open = { a: 0, b: 0 };
  const handshakes: string[] = [];
  const servers = startServers((req, port) => {
    const url = new URL(req.url);
    if (url.pathname === "/slow") {
      return new Promise<Response>((resolve) =>
        setTimeout(() => resolve(new Response("late")), 3000)
      );
    }
    if (req.headers.get("upgrade") !== "websocket") return new Response(`plain ${port}`);
    const side = port === servers.a.port ? "a" : "b";
    const origin = req.headers.get("origin");
    const cookie = req.headers.get("cookie");
    handshakes.push(`${port} ${url.pathname} ${origin}`);
    const { socket, response } = Deno.upgradeWebSocket(req, {
      protocol: req.headers.get("sec-websocket-protocol")?.split(",")[0].trim(),
    });
    socket.onopen = () => {
      open[side]++;
      switch (url.pathname) {
        case "/big":
          return socket.send("x".repeat(Number(url.searchParams.get("n"))));
        case "/flood":
          for (let i = 0; i < 50; i++) socket.send(`m${i}`);
          return;
        case "/bye":
          return socket.close(4001, "bye");
        case "/silent":
          return;
        default:
          socket.send(JSON.stringify({ origin, cookie }));
      }
    };
    socket.onmessage = (e) => socket.send(e.data);
    socket.onclose = () => open[side]--;
    return response;
  });
  return { servers, open, handshakes };
}

async function until(check: () => boolean, ms = 5000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end;) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return check();
}

Deno.test({
  name: "websocket: own origin only, the script's Origin, caps, closed at the end",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const { servers, open, handshakes } = wsServers();
    const A = `127.0.0.1:${servers.a.port}`;
    const B = `127.0.0.1:${servers.b.port}`;
    const policy = {
      version: 1,
      modules: { allow: ["json"] },
      network: { same_origin: true, websocket: true },
      limits: { websockets: 2, websocket_messages: 40, websocket_message_bytes: 1000 },
    };
    const sandbox = new Sandbox({ policy: policy as never });
    // Violations raise without ending the run: one run tries many bypasses.
    // Port B is listed for CORS as localhost, which is not 127.0.0.1.
    const raising = new Sandbox({
      policy: {
        ...policy,
        on_violation: "raise",
        network: { ...policy.network, cors: [`http://localhost:${servers.b.port}`] },
      } as never,
    });
    try {
      await t.step("talks to its own origin; the server sees the script's Origin", async () => {
        const r = await sandbox.run(
          `import json\nfrom pyfence.web import WebSocket\n` +
            `ws = WebSocket("ws://${A}/chat", protocols=["chat"])\n` +
            `print(json.loads(ws.recv(timeout=5))["origin"], ws.protocol)\n` +
            `ws.send("héllo")\nprint(ws.recv(5))\n` +
            `ws.send(bytes(range(256)))\nprint(ws.recv(5) == bytes(range(256)))\n` +
            `try:\n    ws.recv(timeout=0.2)\nexcept TimeoutError as e:\n    print("timeout")\n` +
            `ws.close()\n` +
            // A relative URL resolves against the origin (http: is ws: for WebSocket).
            `with WebSocket("/again") as w2:\n    print(json.loads(w2.recv(5))["origin"])\n`,
          { origin: `http://${A}` },
        );
        equal(r.error, undefined, JSON.stringify(r));
        equal(
          r.stdout,
          `http://${A} chat\nhéllo\nTrue\ntimeout\nhttp://${A}\n`,
        );
        ok(handshakes.includes(`${servers.a.port} /chat http://${A}`), handshakes.join("\n"));
      });

      await t.step(
        "refused: another port, ws/http mix-ups, other spellings of the host",
        async () => {
          const before = handshakes.length;
          const targets = [
            `ws://${B}/x`, // another origin on the same host
            `wss://${A}/x`, // wss is https: another origin
            `https://${A}/x`,
            `ws://localhost:${servers.a.port}/x`, // another host name, another origin
            `ws://[::1]:${servers.a.port}/x`,
            `ws://127.0.0.1/x`, // the default port, 80
            `ws://127.0.0.1:80/x`,
            `ws://user:pw@${A}/x`, // credentials in the URL
            `//${B}/x`, // scheme-relative
            `ftp://${A}/x`,
            `ws://${"a".repeat(5000)}.example/x`,
            `ws://0x7f.0.0.1:${servers.b.port}/x`, // 127.0.0.1 spelled in hex, port B
          ];
          const r = await raising.run(
            `from pyfence.web import WebSocket\n` +
              `for url in ${JSON.stringify(targets)}:\n` +
              `    try:\n        WebSocket(url)\n        print("CONNECTED", url)\n` +
              `    except PermissionError as e:\n        print("refused")\n` +
              `try:\n    WebSocket("ws://${A}/x#frag")\nexcept ValueError as e:\n    print("fragment:", e)\n`,
            { origin: `http://${A}` },
          );
          equal(r.error, undefined, JSON.stringify(r));
          equal(
            r.stdout,
            "refused\n".repeat(targets.length) + "fragment: a WebSocket URL has no fragment\n",
          );
          equal(r.violations.length, targets.length);
          ok(r.violations.every((v) => v.kind === "websocket"), JSON.stringify(r.violations));
          match(r.violations[0].detail, new RegExp(`cross-origin WebSocket to http://${B}`));
          // The worker refuses what the guard's URL parser let through: credentials.
          match(r.violations[7].detail, /credentials in URL/);
          equal(handshakes.length, before, "a refused socket reached a server");
          equal(servers.b.hits, 0);
        },
      );

      await t.step(
        "a CORS origin (localhost, port B) may be reached, with the script's Origin",
        async () => {
          const r = await raising.run(
            `import json\nfrom pyfence.web import WebSocket\n` +
              `print(json.loads(WebSocket("ws://localhost:${servers.b.port}/").recv(5))["origin"])`,
            { origin: `http://${A}` },
          );
          equal(r.error, undefined, JSON.stringify(r));
          equal(r.stdout, `http://${A}\n`);
          equal(r.violations.length, 0);
        },
      );

      await t.step("origin null has no WebSocket", async () => {
        const none = await sandbox.run(
          `from pyfence.web import WebSocket\nWebSocket("ws://${A}/")`,
        );
        equal(none.error?.type, "SecurityError");
        equal(none.violations[0].kind, "websocket");
        match(none.violations[0].detail, /origin null/);
      });

      await t.step("caps: sockets at once, message size both ways, messages per run", async () => {
        const r = await sandbox.run(
          `from pyfence.web import WebSocket, WebSocketLimitError, ConnectionClosed\n` +
            `a = WebSocket("ws://${A}/")\nb = WebSocket("ws://${A}/")\n` +
            `try:\n    WebSocket("ws://${A}/")\nexcept WebSocketLimitError as e:\n    print("third:", e)\n` +
            `b.close()\nc = WebSocket("ws://${A}/")\nprint("after a close: open")\n` +
            `try:\n    a.send("x" * 1001)\nexcept WebSocketLimitError as e:\n    print("send:", e)\n` +
            `a.close()\nc.close()\n` +
            `big = WebSocket("ws://${A}/big?n=1001")\n` +
            `try:\n    big.recv(5)\nexcept ConnectionClosed as e:\n    print("recv:", e.code, e)\n` +
            `fl = WebSocket("ws://${A}/flood")\nn = 0\n` +
            `try:\n    while True:\n        fl.recv(5)\n        n += 1\n` +
            `except ConnectionClosed as e:\n    print("flood:", n, e.code, e)\n`,
          { origin: `http://${A}` },
        );
        equal(r.error, undefined, JSON.stringify(r));
        const lines = r.stdout.trimEnd().split("\n");
        match(lines[0], /^third: at most 2 WebSockets may be open at once$/);
        equal(lines[1], "after a close: open");
        match(lines[2], /^send: a WebSocket message of 1001 bytes; at most 1000/);
        match(lines[3], /^recv: 1009 the WebSocket was closed: a message of 1001 bytes arrived/);
        // 3 greetings and nothing else counted before the flood: 40 - 3 = 37 more fit.
        match(
          lines[4],
          /^flood: 3\d 1008 the WebSocket was closed: more than 40 WebSocket messages/,
        );
        equal(r.violations.length, 0, "a cap is a limit, not a violation");
      });

      await t.step("a closed socket says its code; iteration ends at a normal close", async () => {
        const r = await sandbox.run(
          `from pyfence.web import WebSocket, ConnectionClosed\n` +
            `ws = WebSocket("ws://${A}/bye")\n` +
            `try:\n    ws.recv(5)\nexcept ConnectionClosed as e:\n    print(e.code, e.reason)\n` +
            `try:\n    ws.send("late")\nexcept OSError as e:\n    print(type(e).__name__, e)\n`,
          { origin: `http://${A}` },
        );
        equal(r.error, undefined, JSON.stringify(r));
        equal(r.stdout, "4001 bye\nNetworkError the WebSocket is closed\n");
      });

      await t.step("the async form, driven as a coroutine", async () => {
        const r = await sandbox.run(
          `import json\nfrom pyfence.web import websocket_async\n` +
            `async def main():\n` +
            `    async with await websocket_async("ws://${A}/") as ws:\n` +
            `        hello = json.loads(await ws.recv(5))["origin"]\n` +
            `        await ws.send("ping")\n` +
            `        return hello, await ws.recv(5)\n` +
            `c = main()\ntry:\n    c.send(None)\nexcept StopIteration as e:\n    print(e.value)\n`,
          { origin: `http://${A}` },
        );
        equal(r.error, undefined, JSON.stringify(r));
        equal(r.stdout, `('http://${A}', 'ping')\n`);
      });

      await t.step(
        "waiting for a message or a response at the deadline ends as TimeoutError",
        async () => {
          for (
            const wait of [
              `WebSocket("ws://${A}/silent").recv()`,
              `fetch("http://${A}/slow")`,
            ]
          ) {
            const r = await sandbox.run(
              `from pyfence.web import WebSocket, fetch\ntry:\n    ${wait}\n` +
                `except BaseException as e:\n    print("caught", type(e).__name__)\nprint("after")`,
              { origin: `http://${A}`, timeoutMs: 1500 },
            );
            equal(r.error?.type, "TimeoutError", JSON.stringify(r));
            equal(r.stdout, "", "the script went on after its deadline");
          }
        },
      );

      await t.step("sockets left open are closed when the run ends", async () => {
        await until(() => open.a === 0);
        const r = await sandbox.run(
          `from pyfence.web import WebSocket\nkeep = [WebSocket("ws://${A}/"), WebSocket("ws://${A}/")]\nprint("open")`,
          { origin: `http://${A}` },
        );
        equal(r.stdout, "open\n", JSON.stringify(r));
        ok(await until(() => open.a === 0), `still open on the server: ${open.a}`);
      });
    } finally {
      await Promise.all([sandbox.close(), raising.close()]);
      await servers.close();
    }
  },
});

Deno.test({
  name:
    "websocket, guard off: no WebSocket of the runtime's, and the net permission alone refuses another port",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { servers, handshakes } = wsServers();
    const sandbox = new Sandbox(unguardedForTests({}));
    const origin = `http://127.0.0.1:${servers.a.port}`;
    try {
      // The worker deletes the global before any script runs (its binary
      // messages would be Blobs that outlive the run): only the guard's sockets exist.
      const gone = await sandbox.run(`import js\nprint(hasattr(js, "WebSocket"))`, { origin });
      equal(gone.stdout, "False\n", JSON.stringify(gone));
      const connect = (port: number) =>
        `import js\nfrom pyodide.ffi import run_sync, to_js\n` +
        `run_sync(js.Deno.connect(to_js({"hostname": "127.0.0.1", "port": ${port}}, dict_converter=js.Object.fromEntries)))\n` +
        `print("connected")`;
      const own = await sandbox.run(connect(servers.a.port), { origin });
      equal(own.stdout, "connected\n", JSON.stringify(own));
      const foreign = await sandbox.run(connect(servers.b.port), { origin });
      equal(foreign.ok, false);
      // What Deno refused is the host's record of a breach, whatever the worker says.
      match(foreign.error!.message, /refused the worker net access to "127\.0\.0\.1:\d+"/);
      equal(foreign.error!.kind, "violation");
      deepEqual(handshakes.filter((h) => h.startsWith(`${servers.b.port} `)), []);
    } finally {
      await sandbox.close();
      await servers.close();
    }
  },
});
