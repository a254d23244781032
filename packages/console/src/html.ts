/**
 * The console's JSX, rendered straight to HTML strings. The pages are plain markup built synchronously, so this
 * needs none of what a JSX library carries for components that wait or share context; hono/jsx, which the console
 * used before, renders inside an AsyncLocalStorage, and on Node 20 and 22 running one turns on a promise hook that
 * stays on for the whole process: after the first page view, every call through the gateway cost about a tenth
 * more CPU.
 *
 * Files use it with the pragmas `@jsxRuntime classic`, `@jsx h` and `@jsxFrag Fragment` (each in a comment of its
 * own, as TypeScript reads them) and `import { Fragment, h } from './html'`.
 */

/** Markup already rendered (escaped where it had to be). */
export class Html {
  constructor(private readonly markup: string) {}
  toString(): string {
    return this.markup;
  }
}

/** What may stand between tags: text and numbers (escaped), markup, lists of them, and nothing. */
export type Child = Html | string | number | boolean | null | undefined | Child[];

type Props = Record<string, unknown> & { children?: Child };
type Component = (props: Props) => Html;

/** Elements that have no content and no closing tag. */
const VOID = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'link',
  'meta',
  'source',
  'wbr',
]);

/** What a development build of JSX adds to every element (as React, they are not attributes). */
const DEV_PROPS = new Set(['__source', '__self']);

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

export function h(tag: string | Component, props: Props | null, ...children: Child[]): Html {
  if (typeof tag === 'function')
    return tag({ ...props, children: children.length === 1 ? children[0] : children });
  let markup = `<${tag}`;
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false || DEV_PROPS.has(name)) continue;
    markup += value === true ? ` ${name}` : ` ${name}="${escape(String(value))}"`;
  }
  if (VOID.has(tag)) return new Html(`${markup}>`);
  return new Html(`${markup}>${render(children)}</${tag}>`);
}

export function Fragment(props: { children?: Child }): Html {
  return new Html(render(props.children));
}

function render(child: Child): string {
  if (child instanceof Html) return child.toString();
  if (Array.isArray(child)) return child.map(render).join('');
  if (typeof child === 'string') return escape(child);
  if (typeof child === 'number') return String(child);
  return ''; // null, undefined and booleans render nothing, as in React
}

// What TypeScript checks JSX against in files that use `h` (it looks for the namespace under the factory's name).
/* eslint-disable @typescript-eslint/no-namespace */
export declare namespace h {
  export namespace JSX {
    export type Element = Html;
    export interface IntrinsicElements {
      [tag: string]: Record<string, unknown>;
    }
    export interface ElementChildrenAttribute {
      children: unknown;
    }
  }
}
/* eslint-enable @typescript-eslint/no-namespace */
