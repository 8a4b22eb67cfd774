import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Injectable, OnModuleDestroy } from '@nestjs/common';
import {
  newQuickJSWASMModuleFromVariant,
  newVariant,
  QuickJSContext,
  QuickJSHandle,
  QuickJSSyncVariant,
} from 'quickjs-emscripten-core';
import { CpuBudget } from './cpu-budget';
import { interpretHandlerResult, OutgoingWebhook, TransformationResult } from './transformation.types';

/** Node's WebAssembly global, which this project's TypeScript library (ES2023, no DOM) does not declare. */
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Memory: new (descriptor: { initial: number; maximum: number }) => object;
};

/** Contract §7.4: what one run may use. */
export const CPU_LIMIT_MS = 50;
export const MEMORY_LIMIT_BYTES = 16 * 1024 * 1024;
/** QuickJS's own stack, static data and runtime take about this much of its WebAssembly memory before any handler. */
const QUICKJS_FOOTPRINT_BYTES = 6 * 1024 * 1024;
const WASM_PAGE_BYTES = 65_536;
/** Emscripten's build starts with 16 MiB of memory: a cap below that would not instantiate. */
const WASM_INITIAL_PAGES = 256;
const WASM_MAXIMUM_PAGES = (MEMORY_LIMIT_BYTES + QUICKJS_FOOTPRINT_BYTES) / WASM_PAGE_BYTES;
/** QuickJS's own stack limit: deep recursion fails the run before it reaches the host's stack. */
const STACK_LIMIT_BYTES = 128 * 1024;
/** Compiled handlers kept (one sandbox each, per endpoint and version of its code); the least recently used goes. */
const MAX_COMPILED = 64;

/**
 * QuickJS's synchronous release build, loaded with require: its own variant loads through a dynamic import, which
 * Node's CommonJS allows but Jest's module system does not.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- subpath exports TypeScript's node resolution cannot type */
const QUICKJS_BUILD: QuickJSSyncVariant = {
  type: 'sync',
  importFFI: async () =>
    (
      require('@jitl/quickjs-wasmfile-release-sync/ffi') as {
        QuickJSFFI: Awaited<ReturnType<QuickJSSyncVariant['importFFI']>>;
      }
    ).QuickJSFFI,
  importModuleLoader: async () =>
    require('@jitl/quickjs-wasmfile-release-sync/emscripten-module') as Awaited<
      ReturnType<QuickJSSyncVariant['importModuleLoader']>
    >,
};
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * The runner wraps the user's `handler`, captured with JSON's functions when the code is compiled, so code that
 * replaces `JSON` or `handler` later changes nothing here. It hands the webhook in and out as JSON text: no object
 * of the host ever enters the sandbox. A promise is refused: a run ends when the handler returns.
 */
const RUNNER = `(function (parse, stringify, handler) {
  if (typeof handler !== 'function') return undefined;
  return function (input) {
    const result = handler(parse(input));
    if (result !== null && typeof result === 'object' && typeof result.then === 'function')
      throw new TypeError('handler must return its result, not a promise');
    return stringify(result);
  };
})(JSON.parse, JSON.stringify, typeof handler === 'undefined' ? undefined : handler)`;

interface CompiledHandler {
  context: QuickJSContext;
  runner: QuickJSHandle;
  /** Starts the CPU budget of the next evaluation. */
  startBudget(): void;
}

/** Why QuickJS stopped a run, in the words an operator reads in the attempt's `error`. */
function describeFailure(dumped: unknown): string {
  const error = (dumped ?? {}) as { name?: string; message?: string };
  const text = `${error.name ?? ''} ${error.message ?? (typeof dumped === 'string' ? dumped : '')}`;
  if (/interrupted/i.test(text)) return `exceeded ${CPU_LIMIT_MS} ms of CPU`;
  if (/out of memory/i.test(text) || dumped === null)
    return `exceeded ${MEMORY_LIMIT_BYTES / 1024 / 1024} MiB of memory`;
  if (/stack overflow/i.test(text)) return 'exceeded the stack (too deep a recursion)';
  const detail = error.message ?? (typeof dumped === 'string' ? dumped : JSON.stringify(dumped));
  return `threw ${error.name ?? 'a value'}: ${detail}`.slice(0, 500);
}

/** Why the WebAssembly instance itself stopped (QuickJS could not report it): its memory or the host's stack ran out. */
function describeInstanceFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/call stack/i.test(message)) return describeFailure({ message: 'stack overflow' });
  if (/memory|allocat|out of bounds|unreachable/i.test(message)) return describeFailure(null);
  return `failed in the sandbox: ${message}`.slice(0, 500);
}

/**
 * User JavaScript in QuickJS compiled to WebAssembly (not node:vm, which is no security boundary). Each compiled
 * handler gets a WebAssembly instance of its own whose memory cannot grow past the limit (QuickJS's own memory
 * accounting needs malloc_usable_size, which its WebAssembly build lacks), and every run a budget of CPU time. The sandbox
 * has the language only: no module loader, network, file system, timers or process. A run is synchronous, at most
 * CPU_LIMIT_MS of CPU long. A handler that failed is dropped with its instance and compiled afresh for its next run, so a
 * run never inherits what a failed one left, and a failure never reaches another handler.
 */
@Injectable()
export class TransformationSandbox implements OnModuleDestroy {
  private wasmModule?: object;
  private readonly compiled = new Map<string, CompiledHandler>();

  onModuleDestroy(): void {
    // Each handler's memory is its WebAssembly instance's: dropping the instance frees it all.
    this.compiled.clear();
  }

  /** Why `code` cannot serve as a transformation (a syntax error, no handler, a failing top level), or undefined. */
  async check(code: string): Promise<string | undefined> {
    const compiled = await this.compile(code);
    return typeof compiled === 'string' ? compiled : undefined;
  }

  /**
   * Runs `code`'s handler on `webhook`. `scope` names whose code it is (an endpoint): handlers are cached per scope
   * and version of the code, and never shared between scopes, so one endpoint's globals are not another's.
   */
  async run(scope: string, code: string, webhook: OutgoingWebhook): Promise<TransformationResult> {
    const key = `${scope}:${createHash('sha256').update(code).digest('base64url')}`;
    let handler = this.compiled.get(key);
    if (handler) {
      this.compiled.delete(key);
    } else {
      const compiled = await this.compile(code);
      if (typeof compiled === 'string') return { kind: 'error', error: compiled };
      handler = compiled;
    }
    this.compiled.set(key, handler);
    if (this.compiled.size > MAX_COMPILED) this.compiled.delete(this.compiled.keys().next().value!);

    const { context, runner } = handler;
    try {
      handler.startBudget();
      const input = context.newString(JSON.stringify(webhook));
      const outcome = context.callFunction(runner, context.undefined, input);
      input.dispose();
      if (outcome.error) {
        const failure = describeFailure(context.dump(outcome.error));
        this.compiled.delete(key);
        return { kind: 'error', error: failure };
      }
      const returned = context.typeof(outcome.value) === 'string' ? context.getString(outcome.value) : undefined;
      outcome.value.dispose();
      if (returned === undefined) return { kind: 'error', error: 'invalid result: handler returned undefined' };
      return interpretHandlerResult(JSON.parse(returned));
    } catch (error) {
      // The WebAssembly instance itself failed (its memory exhausted where QuickJS could not report it).
      this.compiled.delete(key);
      return { kind: 'error', error: describeInstanceFailure(error) };
    }
  }

  private async compile(code: string): Promise<CompiledHandler | string> {
    this.wasmModule ??= new WebAssembly.Module(
      readFileSync(require.resolve('@jitl/quickjs-wasmfile-release-sync/wasm')),
    );
    const quickjs = await newQuickJSWASMModuleFromVariant(
      newVariant(QUICKJS_BUILD, {
        wasmModule: this.wasmModule,
        wasmMemory: new WebAssembly.Memory({ initial: WASM_INITIAL_PAGES, maximum: WASM_MAXIMUM_PAGES }),
      }),
    );
    const runtime = quickjs.newRuntime();
    runtime.setMaxStackSize(STACK_LIMIT_BYTES);
    // QuickJS asks between bytecodes whether to stop the run.
    const budget = new CpuBudget(CPU_LIMIT_MS);
    runtime.setInterruptHandler(() => budget.exceeded());
    const startBudget = () => budget.start();
    const context = runtime.newContext();
    try {
      // The code's top level gets a run's budget too: an endless loop there is refused when the code is written.
      startBudget();
      const evaluated = context.evalCode(code, 'transformation.js');
      if (evaluated.error) return `code ${describeFailure(context.dump(evaluated.error))}`;
      evaluated.value.dispose();
      const runner = context.evalCode(RUNNER, 'runner.js');
      if (runner.error) return `code ${describeFailure(context.dump(runner.error))}`;
      if (context.typeof(runner.value) !== 'function') return 'code must define function handler(webhook)';
      return { context, runner: runner.value, startBudget };
    } catch (error) {
      return `code ${describeInstanceFailure(error)}`;
    }
  }
}
