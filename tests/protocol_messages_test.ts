import assert from "node:assert/strict";
import { parseSandboxLine, parseWorkerEvent } from "../src/protocol/messages.ts";
import { CAPS } from "../src/protocol/caps.ts";

const done = { t: "done", ok: true, wasmBytes: 1024 };

Deno.test("protocol: well-formed worker events parse", () => {
  assert.deepEqual(parseWorkerEvent({ t: "started" }), { t: "started" });
  assert.equal(parseWorkerEvent({ t: "out", stream: "stdout", text: "hi\n" })?.t, "out");
  assert.equal(parseWorkerEvent({ ...done, value: { json: "[1, [2]]" } })?.t, "done");
  assert.equal(
    parseWorkerEvent({ t: "violation", kind: "import", detail: "os", line: 3, probe: true })?.t,
    "violation",
  );
});

Deno.test("protocol: hostile worker events are refused", () => {
  const refused = [
    { t: "started", extra: 1 }, // strict objects: no unknown key
    { t: "out", stream: "stdout", text: "x".repeat(CAPS.chunk_bytes + 1) },
    { t: "out", stream: "stdout", text: "é".repeat(CAPS.chunk_bytes / 2 + 1) }, // bytes, not chars
    { t: "out", stream: "stdin", text: "x" },
    { t: "violation", kind: "breach", detail: "only the trusted side says breach" },
    { t: "violation", kind: "import", detail: "os", line: 1.5 },
    { t: "violation", kind: "import", detail: "os", line: -1 },
    { t: "file", path: "a", data: "not base64!" },
    { ...done, wasmBytes: 2 ** 41 },
    { ...done, cause: "because" },
    { ...done, value: { json: "{" } },
    {
      ...done,
      value: { json: "[".repeat(CAPS.value_depth + 1) + "]".repeat(CAPS.value_depth + 1) },
    },
    { ...done, error: { type: "not a name", message: "x" } },
    { ...done, findings: Array(CAPS.findings + 1).fill({ kind: "import", detail: "os" }) },
    "done",
    null,
  ];
  for (const event of refused) {
    assert.equal(parseWorkerEvent(event), undefined, JSON.stringify(event).slice(0, 120));
  }
});

Deno.test("protocol: sandbox lines are capped and validated", () => {
  const end = {
    done,
    by: "worker",
    deadlinePassed: false,
    violationsOmitted: 0,
    breaches: [],
    memoryGrowthBytes: 0,
  };
  assert.ok(parseSandboxLine(JSON.stringify({ id: "abc", end })));
  assert.ok(parseSandboxLine(JSON.stringify({ t: "warm" })));
  assert.equal(
    parseSandboxLine(JSON.stringify({ id: "abc", end: { ...end, by: "host" } })),
    undefined,
  );
  assert.equal(parseSandboxLine(JSON.stringify({ id: "a b", end })), undefined);
  assert.equal(parseSandboxLine(JSON.stringify({ t: "snapshot", bytes: -1 })), undefined);
  assert.equal(parseSandboxLine("{not json"), undefined);
});
