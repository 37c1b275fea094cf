/**
 * SQS message bodies. The SQS API accepts only #x9, #xA, #xD, #x20-#xD7FF, #xE000-#xFFFD and
 * #x10000-#x10FFFF, and some implementations (the local emulator among them) refuse even the last
 * range. Bodies are JSON in which characters above U+FFFD (emoji, as surrogate pairs) and the
 * noncharacters U+FFFE/U+FFFF are written as `\uXXXX` escapes: still plain JSON, so any JSON
 * parser (and every consumer, including for bodies sent before this encoding) reads the same text.
 */
const UNSAFE_FOR_SQS = /[\ud800-\udfff\ufffe\uffff]/g;

export function encodeMessageBody(value: unknown): string {
  // JSON.stringify already escapes control characters and lone surrogates.
  return JSON.stringify(value).replace(
    UNSAFE_FOR_SQS,
    (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Reads a body in either form (escaped or raw UTF-8 JSON). Throws on a body that is not JSON. */
export function decodeMessageBody(body: string): unknown {
  return JSON.parse(body);
}
