import { type HTMLElement, type Node, NodeType, parse } from 'node-html-parser';
import { type ExtractedDocument, normalizeSpace, type Section } from './extracted-document.ts';

/** Page furniture that is not the page's content. */
const DROP =
  'script, style, noscript, template, svg, canvas, iframe, form, nav, footer, header, aside, [role=navigation], [role=banner], [role=contentinfo], [aria-hidden=true], .cookie-banner, #cookie-banner';
const BLOCK = new Set([
  'p',
  'div',
  'section',
  'article',
  'main',
  'li',
  'ul',
  'ol',
  'table',
  'tr',
  'td',
  'th',
  'pre',
  'blockquote',
  'dd',
  'dt',
  'dl',
  'figcaption',
  'br',
  'hr',
  'address',
]);
const HEADING = /^h([1-6])$/;

/**
 * HTML → main text in sections by heading. Navigation, headers, footers, scripts and forms are
 * dropped; the content root is `<main>`, `<article>` or `[role=main]` when the page has one.
 * Links are collected from the whole page (menus lead to the rest of the site).
 */
export function extractHtml(html: string, pageUrl: string): ExtractedDocument {
  const root = parse(html, { comment: false, blockTextElements: { script: false, style: false, pre: true } });
  const baseHref = root.querySelector('base[href]')?.getAttribute('href');
  const base = resolve(baseHref ?? '', pageUrl) ?? pageUrl;
  const links: string[] = [];
  for (const anchor of root.querySelectorAll('a[href]')) {
    const rel = (anchor.getAttribute('rel') ?? '').toLowerCase();
    if (rel.includes('nofollow')) continue;
    const href = resolve(anchor.getAttribute('href') ?? '', base);
    if (href) links.push(href);
  }
  const robotsMeta = root
    .querySelectorAll('meta[name]')
    .filter((m) => /^(robots|ai-caller-bot)$/i.test(m.getAttribute('name') ?? ''))
    .map((m) => (m.getAttribute('content') ?? '').toLowerCase())
    .join(',');
  const canonicalHref = root.querySelector('link[rel=canonical]')?.getAttribute('href');
  const title = normalizeSpace(
    root.querySelector('title')?.text ?? root.querySelector('h1')?.text ?? '',
  ).slice(0, 300);

  for (const junk of root.querySelectorAll(DROP)) junk.remove();
  const content =
    root.querySelector('main') ??
    root.querySelector('[role=main]') ??
    root.querySelector('article') ??
    root.querySelector('body') ??
    root;

  const sections: Section[] = [];
  const headings: string[] = [];
  let buffer = '';
  const flush = () => {
    const text = normalizeSpace(buffer);
    if (text) sections.push({ headings: [...headings], text });
    buffer = '';
  };
  const walk = (node: Node) => {
    if (node.nodeType === NodeType.TEXT_NODE) {
      buffer += node.text;
      return;
    }
    if (node.nodeType !== NodeType.ELEMENT_NODE) return;
    const element = node as HTMLElement;
    const tag = element.tagName?.toLowerCase() ?? '';
    const level = HEADING.exec(tag)?.[1];
    if (level) {
      flush();
      headings.length = Math.min(headings.length, Number(level) - 1);
      while (headings.length < Number(level) - 1) headings.push('');
      headings.push(normalizeSpace(element.text));
      return;
    }
    const block = BLOCK.has(tag);
    if (block) buffer += '\n';
    for (const child of element.childNodes) walk(child);
    if (block) buffer += '\n';
  };
  walk(content);
  flush();
  return {
    title,
    sections: sections.map((s) => ({ ...s, headings: s.headings.filter(Boolean) })),
    links,
    canonical: canonicalHref ? resolve(canonicalHref, base) : undefined,
    noindex: /\b(noindex|none)\b/.test(robotsMeta),
    nofollow: /\b(nofollow|none)\b/.test(robotsMeta),
  };
}

function resolve(href: string, base: string): string | undefined {
  if (!href || /^(javascript|mailto|tel|data):/i.test(href.trim())) return undefined;
  try {
    return new URL(href, base).toString();
  } catch {
    return undefined;
  }
}
