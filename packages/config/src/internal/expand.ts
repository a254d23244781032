import type { ConfigIssue } from './issues';

const PATTERN = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}/g;

/**
 * Expands `${VAR}` and `${VAR:-default}` in every string of a parsed document, in place of a copy. `$${VAR}` stays
 * literal `${VAR}`. An unset variable without a default is an issue that names the variable and where it is used.
 */
export function expandEnv(
  value: unknown,
  env: Record<string, string | undefined>,
  issues: ConfigIssue[],
): unknown {
  return walk(value, [], env, issues);
}

function walk(
  value: unknown,
  path: (string | number)[],
  env: Record<string, string | undefined>,
  issues: ConfigIssue[],
): unknown {
  if (typeof value === 'string') return expandString(value, path, env, issues);
  if (Array.isArray(value)) return value.map((item, i) => walk(item, [...path, i], env, issues));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, walk(item, [...path, key], env, issues)]),
    );
  }
  return value;
}

function expandString(
  text: string,
  path: (string | number)[],
  env: Record<string, string | undefined>,
  issues: ConfigIssue[],
): string {
  return text.replace(PATTERN, (match, name: string | undefined, fallback: string | undefined) => {
    if (match === '$${') return '${';
    const found = env[name!];
    if (found !== undefined && found !== '') return found;
    if (fallback !== undefined) return fallback;
    issues.push({
      path,
      message: `environment variable ${name} is not set (used as "${match}"); set it, or write \${${name}:-default}`,
    });
    return match;
  });
}
