#!/usr/bin/env node
/**
 * Draws Push Lab's icon and writes it in the forms the installers want, with node alone (no
 * image library): resources/icons/icon.png (512×512, Linux and electron-builder's default),
 * png/<N>x<N>.png (the Linux icon theme sizes), icon.icns (macOS) and icon.ico (Windows).
 * The .icns and .ico hold PNG images, which both formats accept (macOS 10.7+, Windows Vista+).
 *
 * The mark: a signal source with three broadcast arcs, white on a blue-to-teal rounded square
 * — a message pushed out to whoever listens. Each pixel is the share of 4×4 sub-samples inside
 * the shape, so edges are smooth at every size. Run: `node scripts/icons.mjs [outDir]`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';

const SUBSAMPLES = 4;
/** Linux icon theme sizes; 512 is also icon.png. */
export const ICON_SIZES = [16, 32, 48, 64, 128, 256, 512];
/** .icns entry types holding PNG data, by edge length (Apple's "ic07"…"ic10"). */
const ICNS_TYPES = { 128: 'ic07', 256: 'ic08', 512: 'ic09', 1024: 'ic10' };
/** .ico entries (256 is the largest the format names; 0 in its size byte means 256). */
const ICO_SIZES = [16, 32, 48, 64, 128, 256];

const TOP_LEFT = [37, 99, 235]; // blue
const BOTTOM_RIGHT = [13, 148, 136]; // teal

/** Coverage of the white mark at (x, y) in unit coordinates (0..1, y down). */
function inMark(x, y) {
  const cx = 0.25;
  const cy = 0.75;
  const dx = x - cx;
  const dy = cy - y;
  const r = Math.hypot(dx, dy);
  if (r <= 0.085) return true;
  // Arcs in the quarter from straight up to straight right, with rounded ends.
  const inQuarter = dx >= 0 && dy >= 0;
  for (const radius of [0.22, 0.37, 0.52]) {
    const half = 0.045;
    if (inQuarter && Math.abs(r - radius) <= half) return true;
    // Round caps at both ends of the arc.
    if (Math.hypot(x - cx, y - (cy - radius)) <= half) return true;
    if (Math.hypot(x - (cx + radius), y - cy) <= half) return true;
  }
  return false;
}

/** Inside the rounded square (corner radius 22% of the edge, 4% margin). */
function inTile(x, y) {
  const margin = 0.04;
  const corner = 0.22;
  const lo = margin + corner;
  const hi = 1 - margin - corner;
  const qx = Math.max(lo - x, 0, x - hi);
  const qy = Math.max(lo - y, 0, y - hi);
  return Math.hypot(qx, qy) <= corner;
}

/** RGBA pixels of the icon at `size`×`size`. */
export function drawIcon(size) {
  const pixels = Buffer.alloc(size * size * 4);
  const n = SUBSAMPLES * SUBSAMPLES;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let tile = 0;
      let mark = 0;
      for (let sy = 0; sy < SUBSAMPLES; sy++) {
        for (let sx = 0; sx < SUBSAMPLES; sx++) {
          const x = (px + (sx + 0.5) / SUBSAMPLES) / size;
          const y = (py + (sy + 0.5) / SUBSAMPLES) / size;
          if (!inTile(x, y)) continue;
          tile++;
          if (inMark(x, y)) mark++;
        }
      }
      const t = (px + py) / (2 * size);
      const o = (py * size + px) * 4;
      for (let c = 0; c < 3; c++) {
        const background = TOP_LEFT[c] + (BOTTOM_RIGHT[c] - TOP_LEFT[c]) * t;
        // The mark's share is of the tile's samples: white over the gradient.
        const share = tile === 0 ? 0 : mark / tile;
        pixels[o + c] = Math.round(background + (255 - background) * share);
      }
      pixels[o + 3] = Math.round((255 * tile) / n);
    }
  }
  return pixels;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A PNG file (8-bit RGBA, no filtering) of `size`×`size` RGBA `pixels`. */
export function encodePng(size, pixels) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type: RGBA
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    rows[y * (size * 4 + 1)] = 0; // filter: none
    pixels.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** An .icns file of PNG entries, `pngs` keyed by edge length. */
export function encodeIcns(pngs) {
  const entries = Object.entries(ICNS_TYPES)
    .filter(([size]) => pngs.has(Number(size)))
    .map(([size, type]) => {
      const png = pngs.get(Number(size));
      const head = Buffer.alloc(8);
      head.write(type, 0, 'latin1');
      head.writeUInt32BE(png.length + 8, 4);
      return Buffer.concat([head, png]);
    });
  const body = Buffer.concat(entries);
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'latin1');
  head.writeUInt32BE(body.length + 8, 4);
  return Buffer.concat([head, body]);
}

/** An .ico file of PNG entries, `pngs` keyed by edge length. */
export function encodeIco(pngs) {
  const sizes = ICO_SIZES.filter((s) => pngs.has(s));
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(sizes.length, 4);
  const directory = Buffer.alloc(16 * sizes.length);
  let offset = header.length + directory.length;
  sizes.forEach((size, i) => {
    const png = pngs.get(size);
    const e = i * 16;
    directory[e] = size >= 256 ? 0 : size;
    directory[e + 1] = size >= 256 ? 0 : size;
    directory.writeUInt16LE(1, e + 4); // colour planes
    directory.writeUInt16LE(32, e + 6); // bits per pixel
    directory.writeUInt32LE(png.length, e + 8);
    directory.writeUInt32LE(offset, e + 12);
    offset += png.length;
  });
  return Buffer.concat([header, directory, ...sizes.map((s) => pngs.get(s))]);
}

/** Writes every icon file under `outDir`; returns the paths written. */
export function writeIcons(outDir) {
  const pngs = new Map([...ICON_SIZES, 1024].map((s) => [s, encodePng(s, drawIcon(s))]));
  const written = [];
  const write = (name, data) => {
    const file = path.join(outDir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, data);
    written.push(file);
  };
  write('icon.png', pngs.get(512));
  for (const size of ICON_SIZES) write(path.join('png', `${size}x${size}.png`), pngs.get(size));
  write('icon.icns', encodeIcns(pngs));
  write('icon.ico', encodeIco(pngs));
  return written;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const outDir = path.resolve(process.argv[2] ?? path.join(root, 'resources', 'icons'));
  for (const file of writeIcons(outDir)) console.log(path.relative(process.cwd(), file));
}
