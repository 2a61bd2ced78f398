/**
 * A progress line on stderr while the CLI waits for a slow step (building an
 * interpreter snapshot takes seconds, once per policy and machine). Shown only
 * on a terminal, only once the wait is noticeable, and erased when it ends;
 * pipes, files and `--json` output never see it.
 *
 * @module
 */
import { isTerminal, write } from "./output.ts";

/** A cached snapshot is found in milliseconds; anything slower is a build. */
const SHOW_AFTER_MS = 400;

/**
 * Await `work`; if it takes longer than a moment and `enabled` and stderr is a
 * terminal, show `label` with the seconds elapsed meanwhile.
 */
export async function withProgress<T>(
  label: string,
  work: Promise<T>,
  enabled: boolean,
): Promise<T> {
  if (!enabled || !isTerminal("stderr")) return await work;
  const started = Date.now();
  let shown = false;
  const tick = () => {
    shown = true;
    write("stderr", `\r\x1b[Kpyfence: ${label}… ${Math.round((Date.now() - started) / 1000)} s`);
  };
  let interval: ReturnType<typeof setInterval> | undefined;
  const first = setTimeout(() => {
    tick();
    interval = setInterval(tick, 1000);
  }, SHOW_AFTER_MS);
  try {
    return await work;
  } finally {
    clearTimeout(first);
    clearInterval(interval);
    if (shown) write("stderr", "\r\x1b[K");
  }
}
