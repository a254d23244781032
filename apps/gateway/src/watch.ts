import { createHash } from 'node:crypto';
import { readFileSync, watch } from 'node:fs';
import { basename, dirname } from 'node:path';

/** How long the folder must be quiet before the file is read: editors save in several steps. */
const SETTLE_MS = 150;

/**
 * Calls `onChange` whenever the content of `file` changes. It watches the file's folder rather than the file, so
 * that editors that save by renaming a new file over the old one, and Kubernetes ConfigMaps (which swap a
 * symlinked folder), are seen too; events settle for a moment and only a real change of content counts.
 * Returns the function that stops watching.
 */
export function watchFile(file: string, onChange: () => void): () => void {
  const digest = () => {
    try {
      return createHash('sha256').update(readFileSync(file)).digest('hex');
    } catch {
      return undefined; // gone for a moment, mid-save
    }
  };
  let last = digest();
  let timer: NodeJS.Timeout | undefined;
  const watcher = watch(dirname(file), { persistent: false }, (_event, name) => {
    if (name !== null && name !== basename(file) && !name.startsWith('..')) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      const now = digest();
      if (now === undefined || now === last) return;
      last = now;
      onChange();
    }, SETTLE_MS);
  });
  return () => {
    clearTimeout(timer);
    watcher.close();
  };
}
