// A QR code drawn as React SVG: `uqr` computes the modules, and every dark module becomes one
// square of a single <path>. No innerHTML (nothing to sanitise) and no canvas (it scales
// crisply and reads the same under the page's CSP); the accessible name says what it holds.
import { useMemo } from 'react';
import { encode } from 'uqr';

/** The 4-module quiet zone the QR standard asks for, so phone cameras find the code. */
const QUIET_ZONE = 4;

export function QrCode({ value, label, className }: { value: string; label: string; className?: string }) {
  const { size, path } = useMemo(() => {
    const qr = encode(value, { ecc: 'M', border: QUIET_ZONE });
    // One "move, 1×1 square" per dark module: short to build, and one DOM node instead of hundreds.
    const squares = qr.data.flatMap((row, y) => row.flatMap((dark, x) => (dark ? [`M${x} ${y}h1v1h-1z`] : [])));
    return { size: qr.size, path: squares.join('') };
  }, [value]);
  return (
    <svg
      role="img"
      aria-label={label}
      className={className}
      viewBox={`0 0 ${size} ${size}`}
      shapeRendering="crispEdges"
      xmlns="http://www.w3.org/2000/svg"
    >
      <rect width={size} height={size} fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  );
}
