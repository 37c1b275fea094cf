import OpenAI from 'openai';
import { AppError, UnavailableError } from '../../errors/app-error.ts';

export interface EmbeddingConfig {
  apiKey: string;
  baseUrl: string;
  model: string;
  dimensions: number;
}

/** Inputs per request; the API accepts up to 2,048, smaller batches keep one failure cheap. */
const BATCH = 96;

export type Embedder = (texts: string[]) => Promise<Float32Array[]>;

/**
 * Embeddings through the OpenAI embeddings API (`OPENAI_BASE_URL` honoured, so tests and other
 * compatible servers work). Vectors are unit length from the API; `dimensions` shortens
 * text-embedding-3 vectors at the source.
 */
export function createEmbedder(config: EmbeddingConfig): Embedder {
  const client = new OpenAI({
    apiKey: config.apiKey,
    baseURL: config.baseUrl,
    maxRetries: 3,
    timeout: 30_000,
  });
  return async (texts) => {
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += BATCH) {
      const batch = texts.slice(i, i + BATCH);
      let response: OpenAI.Embeddings.CreateEmbeddingResponse;
      try {
        response = await client.embeddings.create({
          model: config.model,
          input: batch,
          dimensions: config.dimensions,
          encoding_format: 'float',
        });
      } catch (error) {
        const status = (error as { status?: number }).status;
        if (status && status >= 400 && status < 500 && status !== 408 && status !== 429) {
          throw new AppError('validation_error', 'The embeddings request was refused.', {
            cause: error,
            retryable: false,
          });
        }
        throw new UnavailableError('The embeddings API is unavailable.', { cause: error });
      }
      const ordered = [...response.data].sort((a, b) => a.index - b.index);
      for (const item of ordered) out.push(Float32Array.from(item.embedding));
    }
    return out;
  };
}

export const encodeVector = (vector: Float32Array) =>
  Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64');
export function decodeVector(encoded: string): Float32Array {
  const bytes = Buffer.from(encoded, 'base64');
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}
