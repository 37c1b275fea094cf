/**
 * Numbers as Asterisk delivers them (`${EXTEN}`, caller id) to E.164. Trunks usually strip the
 * `+`: `15550009999` → `+15550009999`; `00` is the international prefix; a bare 10-digit number
 * is taken as North American (+1), the most common trunk convention. Anything else that is not
 * 8–15 digits (an internal extension, `anonymous`) is `undefined`.
 */
export function toE164(raw: string): string | undefined {
  const trimmed = raw.trim().replace(/[\s().-]/g, '');
  let digits: string;
  if (trimmed.startsWith('+')) digits = trimmed.slice(1);
  else if (trimmed.startsWith('00')) digits = trimmed.slice(2);
  else if (/^\d{10}$/.test(trimmed)) digits = `1${trimmed}`;
  else digits = trimmed;
  if (!/^[1-9]\d{7,14}$/.test(digits)) return undefined;
  return `+${digits}`;
}
