import type { z } from 'zod';
import { keysAt } from '../schema';
import { describeValue, type ConfigIssue } from './issues';

/** Keys whose values are secrets: a message about them never shows the value. */
const SECRET_KEYS = new Set(['key']);

/** Turns zod's issues into ours: the path, what was expected and what was found (never a secret's value). */
export function fromZodIssues(issues: readonly z.core.$ZodIssue[], schema: z.ZodType): ConfigIssue[] {
  return issues.flatMap((issue): ConfigIssue[] => {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    const secret = SECRET_KEYS.has(String(path.at(-1)));
    const found = secret ? describeValue(issue.input).split(' ')[0]! : describeValue(issue.input);
    switch (issue.code) {
      case 'invalid_type':
        return [{ path, message: `expected ${article(issue.expected)}, found ${found}` }];
      case 'unrecognized_keys':
        return issue.keys.map((key) => ({
          path: [...path, key],
          message: `unknown key "${key}"; allowed here: ${keysAt(schema, path).join(', ')}`,
        }));
      case 'invalid_value':
        return [
          {
            path,
            message: `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, found ${found}`,
          },
        ];
      case 'invalid_format':
        return [
          {
            path,
            message: `expected ${issue.format === 'url' ? 'an http(s) URL' : `a ${issue.format}`}, found ${found}`,
          },
        ];
      case 'invalid_key':
        return [
          {
            path,
            message: `invalid name ${describeValue(issue.input)}: names use letters, digits, "_", "-" and "."`,
          },
        ];
      default:
        return [{ path, message: `${issue.message}, found ${found}` }];
    }
  });
}

function article(type: string): string {
  return type === 'object'
    ? 'a mapping'
    : type === 'array'
      ? 'a list'
      : /^[aeiou]/.test(type)
        ? `an ${type}`
        : `a ${type}`;
}
