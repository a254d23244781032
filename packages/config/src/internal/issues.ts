import { LineCounter, isMap, isNode, isScalar, type Document, type Node } from 'yaml';

/** One problem in a configuration: where it is and what is wrong. */
export interface ConfigIssue {
  path: (string | number)[];
  message: string;
  /** 1-based line in the file, when known. */
  line?: number;
}

export function formatPath(path: (string | number)[]): string {
  if (path.length === 0) return '(top level)';
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`))
    .join('');
}

/** Describes a found value for "expected X, found Y" messages, short enough for one line. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  const text = JSON.stringify(value);
  return `${typeof value} ${text.length > 60 ? `${text.slice(0, 57)}...` : text}`;
}

/** Adds line numbers to issues from the YAML document they refer to (the key of the nearest entry that exists). */
export function locateIssues(
  issues: ConfigIssue[],
  doc: Document | undefined,
  lines: LineCounter | undefined,
) {
  if (!doc || !lines) return;
  for (const issue of issues) {
    for (let n = issue.path.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : keyNode(doc, issue.path.slice(0, n));
      if (isNode(node) && node.range) {
        issue.line = lines.linePos(node.range[0]).line;
        break;
      }
    }
  }
}

/** The key of a mapping entry (where a reader looks), or the node itself for list items. */
function keyNode(doc: Document, path: (string | number)[]): Node | undefined {
  const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  const last = path[path.length - 1];
  if (isMap(parent)) {
    const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === last);
    return isNode(pair?.key) ? pair.key : undefined;
  }
  const node = doc.getIn(path, true);
  return isNode(node) ? node : undefined;
}

export { LineCounter };
