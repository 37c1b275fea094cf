/**
 * Field-level redaction for structured logs. Personal data (phone numbers, transcripts) and
 * credentials never reach a log line in the clear: they are masked by field name, recursively.
 */
const SECRET_KEYS = new Set([
  'apikey',
  'api_key',
  'authorization',
  'password',
  'secret',
  'token',
  'authtoken',
  'signature',
  'x-api-key',
  'x-twilio-signature',
  'stripe-signature',
  'openai_api_key',
  'cookie',
]);
const PHONE_KEYS = new Set(['from', 'to', 'phonenumber', 'number', 'caller', 'callerid', 'called', 'e164']);
const TEXT_KEYS = new Set(['transcript', 'text', 'instructions', 'body', 'payload', 'audio', 'delta']);

/** Keeps the last two digits so an operator can tell numbers apart without learning them. */
export function maskPhone(value: string): string {
  const digits = value.replace(/\D/g, '');
  if (digits.length < 4) return '[redacted]';
  return `***${digits.slice(-2)}`;
}

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value instanceof Error) return { name: value.name, message: value.message };
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const k = key.toLowerCase();
    if (SECRET_KEYS.has(k) || k.endsWith('secret') || k.endsWith('token') || k.endsWith('password')) {
      out[key] = v === undefined ? undefined : '[redacted]';
    } else if (PHONE_KEYS.has(k)) {
      out[key] = typeof v === 'string' ? maskPhone(v) : v === undefined ? undefined : '[redacted]';
    } else if (TEXT_KEYS.has(k)) {
      out[key] = typeof v === 'string' ? `[${v.length} chars]` : v === undefined ? undefined : '[redacted]';
    } else {
      out[key] = redact(v, depth + 1);
    }
  }
  return out;
}
