export const ICON_SIZES: number[];
export function drawIcon(size: number): Buffer;
export function encodePng(size: number, pixels: Buffer): Buffer;
export function encodeIcns(pngs: Map<number, Buffer>): Buffer;
export function encodeIco(pngs: Map<number, Buffer>): Buffer;
export function writeIcons(outDir: string): string[];
