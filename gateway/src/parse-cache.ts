// Bounded parsing of GraphQL documents at the gateway: graphql-js's own token limit
// (`parse(source, { maxTokens })`) stops oversized documents early (QUERY_TOO_COMPLEX), and
// parsed documents are cached in an LRU bounded by estimated BYTES, not entries: a parsed
// document costs up to ~100 bytes per character of source, so 1,000 entries of 200 KB each
// were 20+ GB worth of budget; this cache never holds more than `maxBytes`.
import { parse, type DocumentNode } from 'graphql';
import { LRUCache } from 'lru-cache';
import { errors } from '@strata/shared';

/** Upper estimate of the heap a parsed document (without locations) and its key take. */
const BYTES_PER_CHAR = 128;
export const PARSE_CACHE_BYTES = 32 * 1024 * 1024;

export interface DocumentParser {
  parse(query: string): DocumentNode;
  /** estimated bytes held (for tests and metrics) */
  readonly heldBytes: number;
  readonly entries: number;
}

export function documentParser(opts: { maxTokens: number; maxBytes?: number }): DocumentParser {
  const cache = new LRUCache<string, DocumentNode>({
    maxSize: opts.maxBytes ?? PARSE_CACHE_BYTES,
    sizeCalculation: (_doc, key) => Math.max(1, key.length * BYTES_PER_CHAR),
  });
  return {
    get heldBytes() {
      return cache.calculatedSize;
    },
    get entries() {
      return cache.size;
    },
    parse(query) {
      const hit = cache.get(query);
      if (hit) return hit;
      let doc: DocumentNode;
      try {
        doc = parse(query, { maxTokens: opts.maxTokens, noLocation: true });
      } catch (err) {
        if (err instanceof Error && /contains more th\w+ \d+ tokens/.test(err.message)) {
          throw errors.tooComplex(`Document too large: more than ${opts.maxTokens} tokens (STRATA_GRAPHQL_MAX_TOKENS)`, { limit: 'tokens', max: opts.maxTokens });
        }
        if (err instanceof RangeError) throw errors.tooComplex('Document nested too deeply', { limit: 'depth' });
        throw errors.badInput(err instanceof Error ? err.message : 'Syntax error');
      }
      cache.set(query, doc);
      return doc;
    },
  };
}
