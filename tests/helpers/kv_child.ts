/**
 * Run by tests/audit_kv_test.ts in a process of its own (with or without
 * `--unstable-kv`): `write PATH` stores synthetic events of two origins and
 * callers over three hours through the KV sink and queries them back;
 * `open PATH` only tries to open the store; `handler` tries to make a
 * server with `audit.kv`. Prints one JSON line.
 */
import { createHandler, kvAuditSink, openKvAuditStore } from "../../mod.ts";
import type { AuditEvent } from "../../mod.ts";

const [mode, path] = Deno.args;

function report(value: unknown): void {
  console.log(JSON.stringify(value));
}

try {
  if (mode === "open") {
    await (await openKvAuditStore(path)).close();
    report({ ok: true });
  } else if (mode === "handler") {
    const handler = createHandler({ audit: { kv: path } });
    await handler.close(0);
    report({ ok: true });
  } else {
    const sink = await kvAuditSink(path);
    const base = Date.parse("2026-05-01T10:00:00Z");
    const events: AuditEvent[] = [];
    for (let i = 0; i < 180; i++) {
      const origin = i % 2 ? "https://a.example" : "https://b.example";
      const caller = i % 3 ? "alice" : "bob";
      const ts = new Date(base + i * 60_000).toISOString();
      events.push({
        ts,
        runId: `r${i}`,
        origin,
        caller,
        type: "violation",
        violation: { kind: "import", detail: `import of 'os' (${i})`, at: 1 },
      });
    }
    // Concurrent appends, as concurrent runs make them: batched, none lost, order kept.
    await Promise.all(events.map((e) => sink(e)));
    await sink.close();
    const store = await openKvAuditStore(path);
    const ids = async (query: Parameters<typeof store.query>[0]) => {
      const out: string[] = [];
      for await (const e of store.query(query)) out.push(e.runId);
      return out;
    };
    const all = await ids({});
    const hour = await ids({
      since: new Date(base + 60 * 60_000),
      until: new Date(base + 120 * 60_000),
    });
    const aInHour = await ids({
      origin: "https://a.example",
      since: new Date(base + 60 * 60_000),
      until: new Date(base + 120 * 60_000),
    });
    const bobA = await ids({ caller: "bob", origin: "https://a.example" });
    await store.close();
    report({ ok: true, all, hour, aInHour, bobA });
  }
} catch (err) {
  report({ ok: false, name: (err as Error).name, message: (err as Error).message });
}
