/**
 * Reading attack and benign programs: the shared corpus (`../shared/corpus`,
 * never copied into the project) and the project's own under `tests/`.
 */

/** One attack program and what its header says to expect. */
export interface Attack {
  name: string;
  path: string;
  code: string;
  className: string;
  expect: "blocked" | "limit";
  /** The built-in policy to run it under (`# policy:` header; default `default`). */
  policy: string;
}

/** One benign program and its exact expected stdout. */
export interface Benign {
  name: string;
  code: string;
  stdout: string;
}

/** The shared corpus directory, if this checkout has one beside it. */
export const SHARED_CORPUS: URL = new URL("../../../shared/corpus/", import.meta.url);

async function exists(url: URL): Promise<boolean> {
  try {
    await Deno.stat(url);
    return true;
  } catch {
    return false;
  }
}

/** True when `../shared/corpus` is present. */
export function hasSharedCorpus(): Promise<boolean> {
  return exists(SHARED_CORPUS);
}

async function pyFiles(dir: URL): Promise<URL[]> {
  const out: URL[] = [];
  if (!(await exists(dir))) return out;
  for await (const e of Deno.readDir(dir)) {
    const url = new URL(e.name + (e.isDirectory ? "/" : ""), dir);
    if (e.isDirectory) out.push(...await pyFiles(url));
    else if (e.name.endsWith(".py")) out.push(url);
  }
  return out.sort((a, b) => a.href.localeCompare(b.href));
}

/** Every attack program under `dir` (recursively), with its header parsed. */
export async function loadAttacks(dir: URL): Promise<Attack[]> {
  const attacks: Attack[] = [];
  for (const url of await pyFiles(dir)) {
    const code = await Deno.readTextFile(url);
    const expect = /^# expect: (blocked|limit)\s*$/m.exec(code)?.[1];
    const className = /^# class: ([\w-]+)/m.exec(code)?.[1];
    if (!expect || !className) {
      throw new Error(`${url.pathname}: missing '# class:' or '# expect:' header`);
    }
    attacks.push({
      name: url.pathname.split("/").slice(-2).join("/"),
      path: url.pathname,
      code,
      className,
      expect: expect as Attack["expect"],
      policy: /^# policy: ([\w-]+)\s*$/m.exec(code)?.[1] ?? "default",
    });
  }
  return attacks;
}

/** Every benign program under `dir` with its `.out` file. */
export async function loadBenign(dir: URL): Promise<Benign[]> {
  const out: Benign[] = [];
  for (const url of await pyFiles(dir)) {
    out.push({
      name: url.pathname.split("/").pop()!,
      code: await Deno.readTextFile(url),
      stdout: await Deno.readTextFile(new URL(url.href.replace(/\.py$/, ".out"))),
    });
  }
  return out;
}

/** Run `fn` over `items` with at most `limit` in flight. */
export async function eachLimited<T>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}
