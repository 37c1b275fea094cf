/**
 * Contacts pasted into the console: a JSON array (`[{"number": …}]`, or `{"contacts": […]}`) or
 * CSV rows with a header, read the way the CSV import reads files (a `number` column or one of
 * its aliases, `timezone`, one column per variable, empty cells left out). Pure, so it is tested.
 */
export interface ContactInput {
  number: string;
  timezone?: string;
  variables?: Record<string, string>;
}

/** As many as `POST /v1/campaigns/{id}/contacts` takes at once; bigger lists are CSV imports. */
export const MAX_PASTED_CONTACTS = 1000;

const NUMBER_COLUMNS = ['number', 'phone', 'phone_number', 'mobile', 'to'];

export class ContactRowsError extends Error {
  override name = 'ContactRowsError';
}

export function parseContactRows(text: string): ContactInput[] {
  const trimmed = text.trim();
  if (!trimmed) throw new ContactRowsError('Paste at least one contact.');
  const contacts = trimmed.startsWith('[') || trimmed.startsWith('{') ? fromJson(trimmed) : fromCsv(trimmed);
  if (contacts.length === 0) throw new ContactRowsError('No contacts found: add rows under the header.');
  if (contacts.length > MAX_PASTED_CONTACTS) {
    throw new ContactRowsError(
      `${contacts.length} contacts: paste at most ${MAX_PASTED_CONTACTS} at once, or upload a CSV file.`,
    );
  }
  return contacts;
}

function fromJson(text: string): ContactInput[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ContactRowsError(
      'This is not valid JSON: paste an array of {"number": …} objects, or CSV rows.',
    );
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { contacts?: unknown } | null)?.contacts;
  if (!Array.isArray(list)) throw new ContactRowsError('The JSON must be an array of contacts.');
  // Each contact goes to the API as it is: the API checks every one and lists the bad ones by index.
  return list as ContactInput[];
}

function fromCsv(text: string): ContactInput[] {
  const [header, ...rows] = csvRecords(text).filter((row) => row.some((cell) => cell.trim() !== ''));
  if (!header) return [];
  const names = header.map((h) => h.trim());
  const numberAt = names.findIndex((n) => NUMBER_COLUMNS.includes(n.toLowerCase()));
  if (numberAt < 0) {
    throw new ContactRowsError(
      'The first row must be a header with a number column (number, phone, phone_number, mobile or to).',
    );
  }
  const zoneAt = names.findIndex((n) => n.toLowerCase() === 'timezone');
  return rows.map((row) => {
    const contact: ContactInput = { number: (row[numberAt] ?? '').trim() };
    const zone = zoneAt >= 0 ? row[zoneAt]?.trim() : '';
    if (zone) contact.timezone = zone;
    const variables: Record<string, string> = {};
    names.forEach((name, i) => {
      const value = row[i]?.trim();
      if (i !== numberAt && i !== zoneAt && name && value) variables[name] = value;
    });
    if (Object.keys(variables).length > 0) contact.variables = variables;
    return contact;
  });
}

/** RFC 4180 records: quoted cells may hold commas, doubled quotes and line breaks; tabs also separate. */
export function csvRecords(text: string): string[][] {
  const delimiter = !text.split('\n')[0]?.includes(',') && text.includes('\t') ? '\t' : ',';
  const records: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"' && cell === '') quoted = true;
    else if (ch === delimiter) {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      records.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    records.push(row);
  }
  return records;
}
