import assert from "assert";
import { UsageError } from "../src/errors.ts";
import {
  netDescriptor,
  OPAQUE_ORIGIN,
  type Origin,
  originOfUrl,
  parseOrigin,
  sameOrigin,
  serializeOrigin,
  type TupleOrigin,
} from "../src/capabilities/origin.ts";

function tuple(o: Origin): TupleOrigin {
  assert.equal(o.kind, "tuple");
  return o as TupleOrigin;
}

function usageError(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof UsageError, `expected UsageError, got ${e}`);
    return e;
  }
  assert.fail("expected a UsageError, but nothing was thrown");
}

Deno.test("omitted and 'null' are opaque", () => {
  assert.deepEqual(parseOrigin(), { kind: "opaque" });
  assert.deepEqual(parseOrigin(undefined), OPAQUE_ORIGIN);
  assert.deepEqual(parseOrigin("null"), OPAQUE_ORIGIN);
  assert.equal(serializeOrigin(parseOrigin("null")), "null");
});

Deno.test("https with default port", () => {
  assert.deepEqual(parseOrigin("https://a.example"), {
    kind: "tuple",
    scheme: "https",
    host: "a.example",
    port: 443,
    serialized: "https://a.example",
  });
  assert.equal(netDescriptor(tuple(parseOrigin("https://a.example"))), "a.example:443");
  // An explicit default port is the same origin.
  assert.equal(tuple(parseOrigin("https://a.example:443")).serialized, "https://a.example");
});

Deno.test("http with explicit port, and the http default", () => {
  const o = tuple(parseOrigin("http://a.example:8080"));
  assert.equal(o.scheme, "http");
  assert.equal(o.port, 8080);
  assert.equal(o.serialized, "http://a.example:8080");
  assert.equal(netDescriptor(o), "a.example:8080");
  assert.equal(netDescriptor(tuple(parseOrigin("http://a.example"))), "a.example:80");
});

Deno.test("IPv6 hosts keep their brackets", () => {
  const o = tuple(parseOrigin("https://[2001:DB8::1]:8443/x"));
  assert.equal(o.host, "[2001:db8::1]");
  assert.equal(o.port, 8443);
  assert.equal(o.serialized, "https://[2001:db8::1]:8443");
  assert.equal(netDescriptor(o), "[2001:db8::1]:8443");
  assert.equal(netDescriptor(tuple(parseOrigin("http://[::1]"))), "[::1]:80");
});

Deno.test("a full URL is reduced to its origin", () => {
  const o = tuple(parseOrigin("https://A.Example/dir/x.py?q=1#frag"));
  assert.equal(o.serialized, "https://a.example");
  assert.equal(o.host, "a.example");
  assert.equal(tuple(parseOrigin("https://a.example/")).serialized, "https://a.example");
});

Deno.test("internationalised hosts are punycoded", () => {
  assert.equal(tuple(parseOrigin("https://bücher.example")).host, "xn--bcher-kva.example");
});

Deno.test("other schemes are rejected", () => {
  for (
    const input of [
      "file:///home/me/x.py",
      "javascript:alert(1)",
      "data:text/plain,hi",
      "ftp://a.example",
      "ws://a.example",
      "blob:https://a.example/uuid",
    ]
  ) {
    const e = usageError(() => parseOrigin(input));
    assert.equal(e.argument, "origin", input);
    assert.match(e.message, /^origin: scheme '[a-z]+:' has no network origin/, input);
  }
});

Deno.test("credentials are rejected", () => {
  for (
    const input of ["https://user:pw@a.example", "https://user@a.example", "https://:pw@a.example"]
  ) {
    const e = usageError(() => parseOrigin(input));
    assert.equal(e.argument, "origin");
    assert.match(e.message, /credentials/, input);
  }
});

Deno.test("garbage is rejected", () => {
  for (
    const input of [
      "",
      "a.example",
      "https://",
      "https://a b.example",
      " https://a.example",
      "https://a.example\n",
      "https://a.exa\tmple",
      "https://a.example:99999",
      "NULL",
    ]
  ) {
    const e = usageError(() => parseOrigin(input));
    assert.equal(e.argument, "origin", JSON.stringify(input));
  }
  // The argument name is the caller's.
  assert.equal(usageError(() => parseOrigin("nope", "--origin")).argument, "--origin");
});

Deno.test("originOfUrl: browsers' rule, file: is opaque", () => {
  assert.equal(tuple(originOfUrl("https://u:p@a.example/x.py")).serialized, "https://a.example");
  assert.deepEqual(originOfUrl("file:///home/me/x.py"), OPAQUE_ORIGIN);
  assert.deepEqual(originOfUrl("data:text/plain,x"), OPAQUE_ORIGIN);
  assert.deepEqual(originOfUrl(new URL("http://a.example:81/")).kind, "tuple");
  assert.equal(usageError(() => originOfUrl("not a url")).argument, "url");
});

Deno.test("sameOrigin", () => {
  assert.ok(sameOrigin(parseOrigin("https://a.example"), parseOrigin("https://a.example:443/p")));
  assert.ok(!sameOrigin(parseOrigin("https://a.example"), parseOrigin("http://a.example")));
  assert.ok(!sameOrigin(parseOrigin("https://a.example"), parseOrigin("https://a.example:444")));
  assert.ok(!sameOrigin(parseOrigin("https://a.example"), parseOrigin("https://b.a.example")));
  assert.ok(!sameOrigin(OPAQUE_ORIGIN, OPAQUE_ORIGIN));
});
