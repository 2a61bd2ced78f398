/**
 * A local JSR registry on a loopback port, serving this checkout as the
 * package `deno publish` would upload: the files its dry run lists, under
 * `/@scope/name/VERSION/…`, with `meta.json` and `VERSION_meta.json` (file
 * manifest with SHA-256 checksums, and the exports). Point `JSR_URL` at it
 * and `jsr:@pyfence/pyfence` resolves here; the same files are importable by
 * plain URL, as a URL consumer would import them.
 *
 * What Deno fetches, found by experiment: `meta.json`, then
 * `VERSION_meta.json`, then each module. It does not apply the package's
 * `deno.json` import map: JSR serves sources whose bare specifiers
 * `deno publish` has rewritten ("unfurled"), so this registry requires sources
 * that have none (see {@link bareSpecifiers}).
 */

const ROOT = new URL("../../", import.meta.url);

/** The package's name, version and exports, from its deno.json. */
export async function packageConfig(): Promise<
  { name: string; version: string; exports: Record<string, string> }
> {
  return JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
}

/** The files `deno publish` would upload, as paths relative to the root (`/mod.ts`). */
export async function publishedFiles(): Promise<string[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["publish", "--dry-run", "--allow-dirty"],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`deno publish --dry-run failed:\n${text}`);
  const root = ROOT.href;
  return [...text.matchAll(/^\s+(file:\/\/\S+) \(/gm)].map((m) => "/" + m[1].slice(root.length));
}

/**
 * Import specifiers in the published modules that only an import map could
 * resolve, as `/path.ts: "specifier"`; read from Deno's own module graph.
 */
export async function bareSpecifiers(): Promise<string[]> {
  const root = ROOT.href;
  const modules = (await publishedFiles()).filter((p) => /\.[mc]?[jt]sx?$/.test(p));
  const entry = await Deno.makeTempFile({ suffix: ".ts" });
  try {
    await Deno.writeTextFile(
      entry,
      modules.map((p) => `import "${root}${p.slice(1)}";\n`).join(""),
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", `--config=${new URL("deno.json", ROOT).pathname}`, entry],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
    const graph: { modules: { specifier: string; dependencies?: { specifier: string }[] }[] } = JSON
      .parse(new TextDecoder().decode(out.stdout));
    return graph.modules
      .filter((m) => m.specifier.startsWith(root))
      .flatMap((m) =>
        (m.dependencies ?? [])
          .filter((d) => !/^(\.{1,2}\/|\/|[a-z][a-z0-9+.-]*:)/i.test(d.specifier))
          .map((d) => `/${m.specifier.slice(root.length)}: "${d.specifier}"`)
      );
  } finally {
    await Deno.remove(entry);
  }
}

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A running registry; `url` ends with `/` (the value for `JSR_URL`). */
export interface Registry {
  url: string;
  /** The URL of a published file, for a URL consumer: `${url}@scope/name/VERSION/mod.ts`. */
  fileUrl(path: string): string;
  /** Paths requested so far. */
  requests: string[];
  close(): Promise<void>;
}

/** Serve the checkout as a JSR registry on 127.0.0.1. */
export async function startRegistry(): Promise<Registry> {
  const { name, version, exports } = await packageConfig();
  const [scope, pkg] = name.slice(1).split("/");
  const files = new Map<string, Uint8Array<ArrayBuffer>>();
  const manifest: Record<string, { size: number; checksum: string }> = {};
  for (const path of await publishedFiles()) {
    const bytes = await Deno.readFile(new URL(`.${path}`, ROOT));
    files.set(path, bytes);
    manifest[path] = { size: bytes.length, checksum: `sha256-${await sha256(bytes)}` };
  }
  const base = `/@${scope}/${pkg}/`;
  const requests: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const path = new URL(req.url).pathname;
    requests.push(path);
    if (path === `${base}meta.json`) {
      return Response.json({ scope, name: pkg, latest: version, versions: { [version]: {} } });
    }
    if (path === `${base}${version}_meta.json`) return Response.json({ manifest, exports });
    const file = path.startsWith(`${base}${version}/`)
      ? files.get(path.slice(`${base}${version}`.length))
      : undefined;
    if (!file) return new Response("not found", { status: 404 });
    const type = path.endsWith(".json") ? "application/json" : "application/typescript";
    return new Response(file, { headers: { "content-type": type } });
  });
  const url = `http://127.0.0.1:${server.addr.port}/`;
  return {
    url,
    fileUrl: (path) => `${url}@${scope}/${pkg}/${version}/${path.replace(/^\.?\//, "")}`,
    requests,
    close: () => server.shutdown(),
  };
}
