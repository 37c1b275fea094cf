import { type HTMLElement, parse } from 'node-html-parser';
import { describe, expect, it } from 'vitest';
import { renderDocsPage } from './docs-page.ts';
import { buildOpenApiDocument } from './openapi-document.ts';
import { undescribedFields } from './undescribed.ts';

const document = buildOpenApiDocument();
const page = parse(renderDocsPage(document));

const sectionOf = (node: HTMLElement | null): string => {
  for (let n = node; n; n = n.parentNode as HTMLElement | null) if (n.id) return n.id;
  return '';
};

describe('API reference page', () => {
  it('describes every field of every request and response, nested ones included', () => {
    expect(undescribedFields(document)).toEqual([]);
  });

  it('has no empty description cell in any field or parameter table', () => {
    const children = (node: HTMLElement | null | undefined, tag: string) =>
      (node?.childNodes ?? []).filter(
        (child): child is HTMLElement => (child as HTMLElement).rawTagName === tag,
      );
    const empty: string[] = [];
    for (const table of page.querySelectorAll('table')) {
      const head = children(table, 'thead')[0];
      const isFieldTable = head?.text.includes('Description') ?? false;
      const isParameterTable = table.previousElementSibling?.text === 'Parameters';
      if (!isFieldTable && !isParameterTable) continue;
      for (const row of children(children(table, 'tbody')[0], 'tr')) {
        const cells = children(row, 'td');
        if ((cells[2]?.text.trim() ?? '') === '')
          empty.push(`${sectionOf(table)}: ${cells[0]?.text.trim() ?? '?'}`);
      }
    }
    expect(empty).toEqual([]);
  });

  it('shows the fields of nested objects (tools, usage figures, summaries)', () => {
    const agentBody = page.querySelector('#createagent table');
    const fields = agentBody?.querySelectorAll('td code').map((code) => code.text) ?? [];
    expect(fields).toEqual(
      expect.arrayContaining(['tools', 'tools[].name', 'tools[].url', 'tools[].timeoutMs']),
    );
    const call = page.querySelector('#model-Call')?.text ?? '';
    expect(call).toContain('summary.qaScore');
    expect(call).toContain('usage.outputAudioTokens');
    expect(call).toContain('telemetry.firstAgentAudioMs');
  });

  it('uses URL-safe anchors that the navigation links resolve', () => {
    const ids = new Set(page.querySelectorAll('[id]').map((node) => node.id));
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
    const targets = page
      .querySelectorAll('a[href^="#"]')
      .map((a) => (a.getAttribute('href') as string).slice(1));
    expect(targets.filter((target) => !ids.has(target))).toEqual([]);
  });

  it("writes its examples with the README's variables", () => {
    const examples = page.querySelectorAll('pre').map((pre) => pre.text);
    expect(examples.length).toBeGreaterThan(10);
    for (const example of examples) {
      expect(example).toMatch(/"\$API\//);
      expect(example).not.toContain('$API_KEY');
    }
    expect(examples.some((example) => example.includes('Bearer $KEY'))).toBe(true);
  });
});

describe('undescribedFields', () => {
  it('finds fields without descriptions at any depth, and query parameters', () => {
    const missing = undescribedFields({
      components: {
        schemas: {
          Thing: {
            type: 'object',
            properties: {
              ok: { type: 'string', description: 'Fine.' },
              bare: { type: 'string' },
              list: {
                type: 'array',
                description: 'Items.',
                items: { type: 'object', properties: { inner: { type: 'number' } } },
              },
            },
          },
        },
      },
      paths: { '/x': { get: { parameters: [{ name: 'q', in: 'query' }] } } },
    });
    expect(missing).toEqual(['Thing.bare', 'Thing.list[].inner', 'GET /x ?q']);
  });
});
