/**
 * The one progress bar of the CLI (import, export, feed run), drawn with cli-progress on a
 * terminal (stderr) and silent elsewhere, so pipes and logs get only the final summary.
 * cli-progress rather than hand-written escape sequences: it handles the terminal width,
 * redraw throttling, ETA and the cursor, and is the maintained choice for Node.
 */
import { SingleBar } from 'cli-progress';

export interface ProgressBar {
  /** `done` of `total` units (total unknown: no bar, only the counts), with a short text after it. */
  update(done: number, total?: number, text?: string): void;
  end(): void;
}

export function progressBar(stream: NodeJS.WriteStream, unit: string): ProgressBar {
  if (!stream.isTTY) return { update: () => undefined, end: () => undefined };
  let known = false;
  const bar = new SingleBar({
    stream,
    hideCursor: true,
    clearOnComplete: false,
    barsize: 30,
    barCompleteChar: '#',
    barIncompleteChar: '.',
    format: (options, params, payload: { text?: string }) => {
      const text = payload.text ? ` | ${payload.text}` : '';
      if (!known) return `${params.value} ${unit}${text}`;
      const size = options.barsize ?? 30;
      const filled = Math.round(params.progress * size);
      const pct = Math.floor(params.progress * 100);
      return `[${'#'.repeat(filled)}${'.'.repeat(size - filled)}] ${pct}% ${params.value}/${params.total} ${unit}${text}`;
    },
  });
  let started = false;
  return {
    update(done, total, text = '') {
      known = total !== undefined;
      if (!started) {
        bar.start(total ?? done, done, { text });
        started = true;
        return;
      }
      if (total !== undefined) bar.setTotal(total);
      bar.update(done, { text });
    },
    end() {
      if (started) bar.stop();
    },
  };
}
