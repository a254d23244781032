/**
 * A `backend/item` glob of the access rules, compiled: `*` matches any run of characters (`/` included, so that
 * `backend/*` takes resource URIs too) and `?` one character. A glob without `/` names a whole backend.
 */
export interface Glob {
  backend: RegExp;
  item: RegExp;
  /** The glob covers every item of the backends it matches (`backend/*`, or a bare backend). */
  whole: boolean;
}

export function compileGlob(glob: string): Glob {
  const slash = glob.indexOf('/');
  const [backend, item] = slash < 0 ? [glob, '*'] : [glob.slice(0, slash), glob.slice(slash + 1)];
  return { backend: toRegExp(backend), item: toRegExp(item), whole: item === '*' };
}

function toRegExp(pattern: string): RegExp {
  const source = pattern
    .split('')
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[\\^$.+()[\]{}|]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 's');
}
