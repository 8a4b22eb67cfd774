import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

// `helm` cannot be installed on the machines this suite runs on (it is neither in Debian's packages nor in the npm
// registry), so this renders a chart the way `helm template` does for the part of Go's text/template and Helm's
// functions that deploy/helm/hookgate uses: fields, variables, pipelines, if/else, range, with, define/include,
// and the functions listed in FUNCTIONS. Anything else is an error, never silently empty, so a template that leans
// on something this does not know fails its test instead of passing untested.

type Scope = Record<string, unknown>;
type Node =
  | { kind: 'text'; text: string }
  | { kind: 'output'; pipeline: string }
  | { kind: 'if'; branches: { condition: string; body: Node[] }[]; otherwise: Node[] }
  | { kind: 'range'; variables: string[]; pipeline: string; body: Node[]; otherwise: Node[] }
  | { kind: 'with'; pipeline: string; body: Node[]; otherwise: Node[] };

interface Frame {
  dot: unknown;
  variables: Map<string, unknown>;
}

export class TemplateError extends Error {}

/** Go's truth: false, 0, nil and empty strings, lists and maps are false. */
function truthy(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

function printable(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === undefined || value === null) throw new TemplateError('printing a missing value');
  throw new TemplateError(
    `printing a ${Array.isArray(value) ? 'list' : typeof value === 'object' ? 'map' : typeof value}`,
  );
}

function indentLines(spaces: number, text: string): string {
  const pad = ' '.repeat(spaces);
  return text
    .split('\n')
    .map((line) => pad + line)
    .join('\n');
}

function toYaml(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  return stringify(value, { sortMapEntries: true, lineWidth: 0 }).replace(/\n$/, '');
}

function sprintf(format: string, ...args: unknown[]): string {
  let index = 0;
  return format.replace(/%[sdv%]/g, (verb) => (verb === '%%' ? '%' : printable(args[index++])));
}

export class ChartRenderer {
  private readonly defines = new Map<string, Node[]>();
  private readonly functions: Record<string, (...args: unknown[]) => unknown> = {
    include: (name, dot) => this.include(String(name), dot),
    toYaml,
    nindent: (spaces, text) => `\n${indentLines(Number(spaces), printable(text))}`,
    indent: (spaces, text) => indentLines(Number(spaces), printable(text)),
    quote: (value) => JSON.stringify(value === undefined || value === null ? '' : printable(value)),
    default: (fallback, value) => (truthy(value) ? value : fallback),
    required: (message, value) => {
      if (!truthy(value)) throw new TemplateError(String(message));
      return value;
    },
    trunc: (length, text) => printable(text).slice(0, Number(length)),
    trimSuffix: (suffix, text) => {
      const value = printable(text);
      return value.endsWith(String(suffix)) ? value.slice(0, -String(suffix).length) : value;
    },
    printf: (format, ...args) => sprintf(String(format), ...args),
    toString: (value: unknown) => printable(value),
    sha256sum: (text) => createHash('sha256').update(printable(text)).digest('hex'),
    eq: (left, right) => left === right,
    ne: (left, right) => left !== right,
    not: (value) => !truthy(value),
    and: (...values) => values.find((value) => !truthy(value)) ?? values[values.length - 1],
    or: (...values) => values.find((value) => truthy(value)) ?? values[values.length - 1],
  };

  constructor(private readonly root: Scope) {}

  /** Parses a file's templates; `define`s are kept for `include`, the rest is what the file renders. */
  parse(source: string): Node[] {
    const tokens = tokenize(source);
    let position = 0;
    const block = (closers: string[]): { body: Node[]; closer: string } => {
      const body: Node[] = [];
      while (position < tokens.length) {
        const token = tokens[position++];
        if (token.kind === 'text') {
          if (token.text) body.push({ kind: 'text', text: token.text });
          continue;
        }
        const action = token.text;
        const [keyword] = action.split(/\s+/, 1);
        if (closers.includes(keyword)) return { body, closer: action };
        if (keyword === 'define') {
          const name = /^define\s+"([^"]+)"$/.exec(action)?.[1];
          if (!name) throw new TemplateError(`malformed define: ${action}`);
          this.defines.set(name, block(['end']).body);
        } else if (keyword === 'if') {
          const branches = [{ condition: action.slice(2).trim(), body: [] as Node[] }];
          let otherwise: Node[] = [];
          for (;;) {
            const { body: branchBody, closer } = block(['else', 'end']);
            branches[branches.length - 1].body = branchBody;
            if (closer === 'end') break;
            const elseIf = /^else\s+if\s+(.+)$/.exec(closer);
            if (elseIf) {
              branches.push({ condition: elseIf[1], body: [] });
              continue;
            }
            otherwise = block(['end']).body;
            break;
          }
          body.push({ kind: 'if', branches, otherwise });
        } else if (keyword === 'range' || keyword === 'with') {
          const declaration = /^range\s+(\$\w+)(?:\s*,\s*(\$\w+))?\s*:=\s*(.+)$/.exec(action);
          const pipeline = declaration ? declaration[3] : action.slice(keyword.length).trim();
          const variables = declaration ? [declaration[1], declaration[2]].filter(Boolean) : [];
          const first = block(['else', 'end']);
          const otherwise = first.closer === 'end' ? [] : block(['end']).body;
          body.push(
            keyword === 'range'
              ? { kind: 'range', variables, pipeline, body: first.body, otherwise }
              : { kind: 'with', pipeline, body: first.body, otherwise },
          );
        } else if (['end', 'else', 'template', 'block', 'break', 'continue'].includes(keyword)) {
          throw new TemplateError(`unexpected or unsupported action: ${action}`);
        } else {
          body.push({ kind: 'output', pipeline: action });
        }
      }
      if (closers.length) throw new TemplateError(`missing {{ end }} (expected one of ${closers.join(', ')})`);
      return { body, closer: '' };
    };
    return block([]).body;
  }

  render(nodes: Node[], dot: unknown = this.root): string {
    return this.run(nodes, { dot, variables: new Map([['$', dot]]) });
  }

  private include(name: string, dot: unknown): string {
    const body = this.defines.get(name);
    if (!body) throw new TemplateError(`include of an undefined template "${name}"`);
    return this.render(body, dot);
  }

  private run(nodes: Node[], frame: Frame): string {
    let out = '';
    for (const node of nodes) {
      if (node.kind === 'text') out += node.text;
      else if (node.kind === 'output') out += printable(this.evaluate(node.pipeline, frame));
      else if (node.kind === 'if') {
        const branch = node.branches.find(({ condition }) => truthy(this.evaluate(condition, frame)));
        out += this.run(branch ? branch.body : node.otherwise, frame);
      } else if (node.kind === 'with') {
        const value = this.evaluate(node.pipeline, frame);
        out += truthy(value) ? this.run(node.body, { ...frame, dot: value }) : this.run(node.otherwise, frame);
      } else {
        const value = this.evaluate(node.pipeline, frame);
        if (!truthy(value)) {
          out += this.run(node.otherwise, frame);
          continue;
        }
        if (typeof value !== 'object') throw new TemplateError(`range over a ${typeof value}`);
        const entries: [unknown, unknown][] = Array.isArray(value)
          ? value.map((item, index) => [index, item])
          : Object.keys(value as object)
              .sort()
              .map((key) => [key, (value as Scope)[key]]);
        for (const [key, item] of entries) {
          const variables = new Map(frame.variables);
          if (node.variables.length === 1) variables.set(node.variables[0], item);
          if (node.variables.length === 2) {
            variables.set(node.variables[0], key);
            variables.set(node.variables[1], item);
          }
          out += this.run(node.body, { dot: item, variables });
        }
      }
    }
    return out;
  }

  private evaluate(pipeline: string, frame: Frame): unknown {
    const words = lex(pipeline);
    let position = 0;
    const parsePipeline = (): unknown => {
      let result: unknown;
      let first = true;
      for (;;) {
        result = command(first ? [] : [result]);
        first = false;
        if (words[position] !== '|') return result;
        position++;
      }
    };
    const operand = (): unknown => {
      const word = words[position++];
      if (word === undefined) throw new TemplateError(`incomplete expression: ${pipeline}`);
      if (word === '(') {
        const value = parsePipeline();
        if (words[position++] !== ')') throw new TemplateError(`unbalanced parentheses: ${pipeline}`);
        return value;
      }
      if (word.startsWith('"')) return JSON.parse(word) as string;
      if (/^-?\d+$/.test(word)) return Number(word);
      if (word === 'true' || word === 'false') return word === 'true';
      if (word === '.') return frame.dot;
      const path = /^(\$\w*)?((?:\.\w+)*)$/.exec(word);
      if (!path || (!path[1] && !path[2])) throw new TemplateError(`unknown function or operand "${word}"`);
      let value: unknown = path[1] ? frame.variables.get(path[1]) : frame.dot;
      if (path[1] && !frame.variables.has(path[1])) throw new TemplateError(`undefined variable ${path[1]}`);
      for (const field of path[2].split('.').slice(1)) {
        if (value === undefined || value === null) throw new TemplateError(`nil pointer evaluating ${word}`);
        value = (value as Scope)[field];
      }
      return value;
    };
    const command = (piped: unknown[]): unknown => {
      const name = words[position];
      if (name && Object.hasOwn(this.functions, name)) {
        position++;
        const args: unknown[] = [];
        while (position < words.length && words[position] !== '|' && words[position] !== ')') args.push(operand());
        return this.functions[name](...args, ...piped);
      }
      if (piped.length) throw new TemplateError(`cannot pipe into "${name}": ${pipeline}`);
      return operand();
    };
    const value = parsePipeline();
    if (position !== words.length) throw new TemplateError(`unexpected "${words[position]}" in: ${pipeline}`);
    return value;
  }
}

/** Splits a template into text and actions, applying `{{-` and `-}}` and dropping comments. */
function tokenize(source: string): { kind: 'text' | 'action'; text: string }[] {
  const tokens: { kind: 'text' | 'action'; text: string }[] = [];
  const pattern = /\{\{(-\s)?\s*([\s\S]*?)\s*(\s-)?\}\}/g;
  let last = 0;
  let trimNext = false;
  for (const match of source.matchAll(pattern)) {
    let text = source.slice(last, match.index);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (match[1]) text = text.replace(/\s+$/, '');
    tokens.push({ kind: 'text', text });
    const action = match[2];
    if (!/^\/\*[\s\S]*\*\/$/.test(action)) tokens.push({ kind: 'action', text: action });
    trimNext = Boolean(match[3]);
    last = match.index + match[0].length;
  }
  tokens.push({ kind: 'text', text: trimNext ? source.slice(last).replace(/^\s+/, '') : source.slice(last) });
  return tokens;
}

function lex(pipeline: string): string[] {
  const words = pipeline.match(/"(?:[^"\\]|\\.)*"|\(|\)|\||[^\s()|]+/g);
  if (!words) throw new TemplateError('empty action');
  return words;
}

function deepMerge(base: unknown, override: unknown): unknown {
  if (!base || !override || typeof base !== 'object' || typeof override !== 'object' || Array.isArray(override)) {
    return override;
  }
  const merged: Scope = { ...(base as Scope) };
  for (const [key, value] of Object.entries(override)) merged[key] = deepMerge(merged[key], value);
  return merged;
}

export interface RenderedChart {
  /** Every manifest, parsed, with the template file it came from. */
  documents: { source: string; manifest: Record<string, unknown> }[];
}

/** `helm template <release> <chart> --namespace <ns> -f overrides`: values.yaml merged with overrides. */
export function renderChart(
  chartDirectory: string,
  overrides: Scope = {},
  release = { Name: 'hookgate', Namespace: 'default' },
): RenderedChart {
  const chart = parse(readFileSync(join(chartDirectory, 'Chart.yaml'), 'utf8')) as Scope;
  const values = deepMerge(parse(readFileSync(join(chartDirectory, 'values.yaml'), 'utf8')), overrides);
  const root: Scope = {
    Values: values,
    Release: { ...release, Service: 'Helm', IsInstall: true, IsUpgrade: false, Revision: 1 },
    Chart: Object.fromEntries(
      Object.entries(chart).map(([key, value]) => [key[0].toUpperCase() + key.slice(1), value]),
    ),
  };
  const renderer = new ChartRenderer(root);
  const templates = join(chartDirectory, 'templates');
  const files = readdirSync(templates).sort();
  const parsed = files.map((file) => ({ file, nodes: renderer.parse(readFileSync(join(templates, file), 'utf8')) }));
  const documents: RenderedChart['documents'] = [];
  for (const { file, nodes } of parsed) {
    if (file.startsWith('_') || !/\.ya?ml$/.test(file)) continue;
    const source = `templates/${file}`;
    const text = renderer.render(nodes, { ...root, Template: { Name: `${String(chart.name)}/${source}` } });
    for (const part of text.split(/^---\s*$/m)) {
      if (!part.trim()) continue;
      const manifest = parse(part, { uniqueKeys: true, prettyErrors: true }) as Record<string, unknown> | null;
      if (manifest) documents.push({ source, manifest });
    }
  }
  return { documents };
}
