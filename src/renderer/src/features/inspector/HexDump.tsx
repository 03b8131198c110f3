import { useLayoutEffect, useRef, useState } from 'react';
import { HEX_OCTETS_MAX, hexOctetsPerLine } from './dock';
import { hexLines } from './hex';

/** Characters in the probe that measures the dump's character width. */
const PROBE_CHARS = 10;

/**
 * A body's octets as a hex dump as wide as the dock: it measures its own width in its font's
 * characters and puts as many octets a line as fit (16 at most), so no octet is cut off on
 * the right however narrow the dock is made.
 */
export function HexDump({ hex }: { hex: string }) {
  const ref = useRef<HTMLPreElement>(null);
  const probe = useRef<HTMLSpanElement>(null);
  const [octets, setOctets] = useState(HEX_OCTETS_MAX);
  useLayoutEffect(() => {
    const el = ref.current;
    const ch = probe.current;
    if (!el || !ch) return;
    const measure = () => {
      const charPx = ch.getBoundingClientRect().width / PROBE_CHARS;
      const style = getComputedStyle(el);
      const inner = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      if (charPx > 0 && inner > 0) setOctets(hexOctetsPerLine(Math.floor(inner / charPx)));
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return (
    <div className="inspector-hex-box">
      {/* Beside the dump, not in it: the dump's text is the octets alone. */}
      <span className="inspector-hex-probe" ref={probe} aria-hidden="true">
        {'0'.repeat(PROBE_CHARS)}
      </span>
      <pre
        className="inspector-hex"
        ref={ref}
        data-testid="inspector-hex"
        data-octets={octets}
        aria-label={`Body in hex, ${octets} octets a line`}
      >
        {hexLines(hex, octets).join('\n')}
      </pre>
    </div>
  );
}
