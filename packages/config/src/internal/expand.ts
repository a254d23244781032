import { readFileSync } from 'node:fs';
import { errorMessage } from '@mcp-gateway/core';
import type { ConfigIssue } from './issues';

const PATTERN = /\$\$\{|\$\{file:([^}]+)\}|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}/g;

/** A secret from a file (Docker and Kubernetes secrets), without its final newline; never shown in a message. */
function readSecret(file: string, path: (string | number)[], unset: Unset): string {
  try {
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    const match = `\${file:${file}}`;
    return unset(path, `cannot read the secret file ${file} (used as "${match}"): ${errorMessage(error)}`)
      ? ''
      : match;
  }
}

/** Where an unset variable without a default goes: an issue, or (doctor) a callback, and then it expands to "". */
export type UnsetVariable = (problem: { path: (string | number)[]; message: string }) => void;

/**
 * Expands `${VAR}` and `${VAR:-default}` in every string of a parsed document, in place of a copy. `$${VAR}` stays
 * literal `${VAR}`. An unset variable without a default is an issue that names the variable and where it is used,
 * or, with `onUnset`, is reported there and expands to an empty string.
 */
export function expandEnv(
  value: unknown,
  env: Record<string, string | undefined>,
  issues: ConfigIssue[],
  onUnset?: UnsetVariable,
): unknown {
  const unset = (path: (string | number)[], message: string) => {
    if (onUnset) onUnset({ path, message });
    else issues.push({ path, message });
    return onUnset !== undefined;
  };
  return walk(value, [], env, unset);
}

type Unset = (path: (string | number)[], message: string) => boolean;

function walk(
  value: unknown,
  path: (string | number)[],
  env: Record<string, string | undefined>,
  unset: Unset,
): unknown {
  if (typeof value === 'string') return expandString(value, path, env, unset);
  if (Array.isArray(value)) return value.map((item, i) => walk(item, [...path, i], env, unset));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, walk(item, [...path, key], env, unset)]),
    );
  }
  return value;
}

function expandString(
  text: string,
  path: (string | number)[],
  env: Record<string, string | undefined>,
  unset: Unset,
): string {
  return text.replace(
    PATTERN,
    (match, file: string | undefined, name: string | undefined, fallback: string | undefined) => {
      if (match === '$${') return '${';
      if (file !== undefined) return readSecret(file, path, unset);
      const found = env[name!];
      if (found !== undefined && found !== '') return found;
      if (fallback !== undefined) return fallback;
      const message = `environment variable ${name} is not set (used as "${match}"); set it, or write \${${name}:-default}`;
      return unset(path, message) ? '' : match;
    },
  );
}
