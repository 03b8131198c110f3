/**
 * The flow chart as a standalone SVG file. The chart is styled by styles.css; a file opened
 * elsewhere has no stylesheet, so each element's computed presentation properties are copied
 * into its `style` attribute. The string helpers are pure; `standaloneSvg` needs the DOM.
 */

export const SVG_NS = 'http://www.w3.org/2000/svg';

/** The properties that decide how the chart looks (all the stylesheet sets on it). */
export const INLINED_PROPERTIES = [
  'fill',
  'fill-opacity',
  'stroke',
  'stroke-width',
  'stroke-opacity',
  'stroke-dasharray',
  'stroke-linecap',
  'opacity',
  'font-family',
  'font-size',
  'font-weight',
  'font-style',
  'text-anchor',
  'dominant-baseline',
  'visibility',
  'display',
] as const;

/** A `style` attribute value from a property getter; empty values are left out. */
export function styleText(
  get: (property: string) => string,
  properties: readonly string[] = INLINED_PROPERTIES,
): string {
  const parts: string[] = [];
  for (const property of properties) {
    const value = get(property).trim();
    if (value !== '') parts.push(`${property}:${value}`);
  }
  return parts.join(';');
}

/** An XML declaration before the markup, and the SVG namespace on the root if missing. */
export function svgDocument(markup: string): string {
  const body = /^<svg\b[^>]*\sxmlns=/.test(markup)
    ? markup
    : markup.replace(/^<svg\b/, `<svg xmlns="${SVG_NS}"`);
  return `<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n${body}\n`;
}

/**
 * A copy of `svg` that looks the same without the page's stylesheet: computed styles inlined,
 * a background rectangle in `background`, serialized with XMLSerializer.
 */
export function standaloneSvg(svg: SVGSVGElement, background: string | null = null): string {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  const originals = [svg, ...svg.querySelectorAll('*')];
  const copies = [clone, ...clone.querySelectorAll('*')];
  originals.forEach((el, i) => {
    const copy = copies[i];
    if (!copy) return;
    const css = getComputedStyle(el);
    const style = styleText((p) => css.getPropertyValue(p));
    if (style !== '') copy.setAttribute('style', style);
  });
  clone.setAttribute('xmlns', SVG_NS);
  clone.removeAttribute('class');
  if (background !== null) {
    const rect = document.createElementNS(SVG_NS, 'rect');
    rect.setAttribute('width', '100%');
    rect.setAttribute('height', '100%');
    rect.setAttribute('fill', background);
    clone.insertBefore(rect, clone.firstChild);
  }
  return svgDocument(new XMLSerializer().serializeToString(clone));
}
