import { Transform, type TransformCallback } from 'node:stream';

/**
 * Bytes → text for uploaded CSV files. The encoding is read from a byte-order mark (UTF-16 LE/BE,
 * as spreadsheet software saves "Unicode text"); without one the file is UTF-8. Bytes that are not
 * valid in the encoding become U+FFFD, so the row holding them can be rejected on its own instead
 * of failing the file.
 */
export class CsvTextDecoder extends Transform {
  private decoder: TextDecoder | undefined;
  private head = Buffer.alloc(0);

  constructor() {
    super({ readableObjectMode: false });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (this.decoder) this.push(this.decoder.decode(chunk, { stream: true }));
    else {
      this.head = Buffer.concat([this.head, chunk]);
      if (this.head.length >= 3) {
        this.start(this.head);
        this.head = Buffer.alloc(0);
      }
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    if (!this.decoder && this.head.length > 0) this.start(this.head);
    if (this.decoder) this.push(this.decoder.decode());
    done();
  }

  private start(bytes: Buffer): void {
    let label = 'utf-8';
    let skip = 0;
    if (bytes[0] === 0xff && bytes[1] === 0xfe) [label, skip] = ['utf-16le', 2];
    else if (bytes[0] === 0xfe && bytes[1] === 0xff) [label, skip] = ['utf-16be', 2];
    else if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) skip = 3;
    this.decoder = new TextDecoder(label, { fatal: false, ignoreBOM: true });
    this.push(this.decoder.decode(bytes.subarray(skip), { stream: true }));
  }
}

/** Column names (lower-cased, spaces and dashes as `_`) that hold the number and the zone. */
const NUMBER_COLUMNS = new Set(['number', 'phone', 'phone_number', 'phonenumber', 'to', 'mobile']);
const TIMEZONE_COLUMNS = new Set(['timezone', 'time_zone', 'tz']);
const REASON_COLUMNS = new Set(['reason', 'note']);

export interface CsvLayout {
  number: number;
  timezone?: number;
  reason?: number;
  /** Every other column: a variable named as its header. */
  variables: { index: number; name: string }[];
}

const normalizeHeader = (header: string) =>
  header
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');

/** Reads the header row; undefined when no column holds the numbers. */
export function csvLayout(
  header: readonly string[],
  kind: 'campaign_contacts' | 'dnc',
): CsvLayout | undefined {
  const names = header.map(normalizeHeader);
  const number = names.findIndex((name) => NUMBER_COLUMNS.has(name));
  if (number < 0) return undefined;
  const timezone = names.findIndex((name) => TIMEZONE_COLUMNS.has(name));
  const reason = kind === 'dnc' ? names.findIndex((name) => REASON_COLUMNS.has(name)) : -1;
  const variables =
    kind === 'dnc'
      ? []
      : header
          .map((name, index) => ({ index, name: name.trim() }))
          .filter(({ index, name }) => index !== number && index !== timezone && name !== '');
  return {
    number,
    ...(timezone >= 0 ? { timezone } : {}),
    ...(reason >= 0 ? { reason } : {}),
    variables,
  };
}

export type CsvContact =
  | { ok: true; number: string; timezone?: string; reason?: string; variables: Record<string, string> }
  | { ok: false; number: string; error: 'invalid_encoding' | 'invalid_row' };

/** One data row as a contact; empty variable cells are left out. */
export function contactOfRow(row: readonly string[], layout: CsvLayout, headerWidth: number): CsvContact {
  const number = row[layout.number]?.trim() ?? '';
  if (row.some((cell) => cell.includes('\uFFFD'))) return { ok: false, number, error: 'invalid_encoding' };
  if (row.length > headerWidth) return { ok: false, number, error: 'invalid_row' };
  const variables: Record<string, string> = {};
  for (const { index, name } of layout.variables) {
    const value = row[index]?.trim();
    if (value) variables[name] = value;
  }
  const timezone = layout.timezone === undefined ? undefined : row[layout.timezone]?.trim() || undefined;
  const reason = layout.reason === undefined ? undefined : row[layout.reason]?.trim() || undefined;
  return { ok: true, number, ...(timezone ? { timezone } : {}), ...(reason ? { reason } : {}), variables };
}
