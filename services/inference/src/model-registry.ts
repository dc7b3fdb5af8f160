import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import {
  ATTR_ML_MODEL_CACHE_HIT,
  ATTR_ML_MODEL_FORMAT,
  ATTR_ML_MODEL_LOAD_TIME_MS,
  ATTR_ML_MODEL_NAME,
  ATTR_ML_MODEL_OPSET,
  ATTR_ML_MODEL_SIZE_BYTES,
  ATTR_ML_MODEL_TREE_COUNT,
  ATTR_ML_MODEL_VERSION,
  ATTR_ML_OPERATION_TYPE,
  getTracer,
  recordSpanError,
} from '@mltrace/tracing';
import { InvalidModelCardError, ModelLoadError, NoModelsError } from './errors';
import type { ModelInfo } from './types';

export interface LoadedModel {
  info: ModelInfo;
  session: ort.InferenceSession;
}

/** The subset of models/<version>.json the service relies on. */
interface ModelCardFile {
  name: string;
  version: string;
  trees: number;
  features: string[];
  format: { opset: string };
}

export interface RegistryOptions {
  dir: string;
  /** onnxruntime intra-op threads per session. */
  threads: number;
}

type State = { kind: 'loading' } | { kind: 'ready' } | { kind: 'failed'; error: Error };

const VERSION_FILE = /^([A-Za-z0-9._-]+)\.onnx$/;

/**
 * Every model version found in the model folder, loaded once into an
 * onnxruntime session and kept by version. `loadFresh` bypasses the cache
 * (the cold-model scenario).
 */
export class ModelRegistry {
  private readonly models = new Map<string, LoadedModel>();
  private state: State = { kind: 'loading' };
  private loading: Promise<void> | undefined;

  constructor(private readonly opts: RegistryOptions) {}

  /** Loads every `<version>.onnx` in the folder; rejects (and stays failed) if any cannot be loaded. */
  loadAll(): Promise<void> {
    this.loading ??= this.loadEverything().then(
      () => {
        this.state = { kind: 'ready' };
      },
      (err: unknown) => {
        const error = err instanceof Error ? err : new Error(String(err));
        this.state = { kind: 'failed', error };
        throw error;
      },
    );
    return this.loading;
  }

  get ready(): boolean {
    return this.state.kind === 'ready';
  }

  /** Why the registry is not ready, for /ready and 503 answers. */
  get notReadyReason(): string {
    if (this.state.kind === 'failed') return `model loading failed: ${this.state.error.message}`;
    return this.state.kind === 'loading' ? 'models are still loading' : 'ready';
  }

  versions(): string[] {
    return [...this.models.keys()];
  }

  get(version: string): LoadedModel | undefined {
    return this.models.get(version);
  }

  /** Reads and compiles the version from disk again; the caller owns (and must release) the session. */
  loadFresh(version: string): Promise<LoadedModel> {
    return this.loadOne(version);
  }

  async close(): Promise<void> {
    await this.loading?.catch(() => undefined);
    const models = [...this.models.values()];
    this.models.clear();
    await Promise.all(models.map((m) => m.session.release()));
  }

  private async loadEverything(): Promise<void> {
    const files = (await readdir(this.opts.dir)).filter((f) => VERSION_FILE.test(f)).sort();
    if (files.length === 0) throw new NoModelsError(this.opts.dir);
    for (const file of files) {
      const version = (VERSION_FILE.exec(file) as RegExpExecArray)[1] as string;
      this.models.set(version, await this.loadOne(version));
    }
  }

  private loadOne(version: string): Promise<LoadedModel> {
    const path = join(this.opts.dir, `${version}.onnx`);
    return getTracer().startActiveSpan(
      'model_load',
      { attributes: { [ATTR_ML_OPERATION_TYPE]: 'model_load', [ATTR_ML_MODEL_VERSION]: version, [ATTR_ML_MODEL_CACHE_HIT]: false, [ATTR_ML_MODEL_FORMAT]: 'onnx' } },
      async (span) => {
        // Set again after start: the baggage processor may have stamped the request's model_version over it.
        span.setAttribute(ATTR_ML_MODEL_VERSION, version);
        const started = performance.now();
        try {
          const card = await readCard(join(this.opts.dir, `${version}.json`), version);
          const bytes = await readFile(path);
          const session = await ort.InferenceSession.create(bytes, {
            intraOpNumThreads: this.opts.threads,
            interOpNumThreads: 1,
            executionMode: 'sequential',
            graphOptimizationLevel: 'all',
          });
          const loadTimeMs = Math.round((performance.now() - started) * 1000) / 1000;
          const info: ModelInfo = {
            name: card.name,
            version,
            path,
            trees: card.trees,
            featureCount: card.features.length,
            featureNames: card.features,
            opset: card.format.opset,
            loadTimeMs,
          };
          span.setAttributes({
            [ATTR_ML_MODEL_NAME]: info.name,
            [ATTR_ML_MODEL_TREE_COUNT]: info.trees,
            [ATTR_ML_MODEL_OPSET]: info.opset,
            [ATTR_ML_MODEL_SIZE_BYTES]: (await stat(path)).size,
            [ATTR_ML_MODEL_LOAD_TIME_MS]: loadTimeMs,
          });
          return { info, session };
        } catch (err) {
          recordSpanError(span, err);
          const message = err instanceof Error ? err.message : String(err);
          throw new ModelLoadError(version, `${path}: ${message}`, { cause: err });
        } finally {
          span.end();
        }
      },
    );
  }
}

async function readCard(path: string, version: string): Promise<ModelCardFile> {
  const card = JSON.parse(await readFile(path, 'utf8')) as Partial<ModelCardFile>;
  if (
    typeof card.name !== 'string' ||
    card.version !== version ||
    typeof card.trees !== 'number' ||
    !Array.isArray(card.features) ||
    typeof card.format?.opset !== 'string'
  ) {
    throw new InvalidModelCardError(path, version);
  }
  return card as ModelCardFile;
}
