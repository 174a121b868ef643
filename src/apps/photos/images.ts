import exifReader from 'exif-reader';
import type { Metadata, OutputInfo } from 'sharp';

/** One image made from an upload: a square crop for grids, or the whole picture fit inside a box. */
export interface Rendition {
  /** The object name: `s300.jpg`, `l1200.webp`. */
  name: string;
  size: number;
  fit: 'square' | 'inside';
  format: 'jpeg' | 'webp';
}

/**
 * A photo's renditions. The grid sizes are square crops (150, 300 and 600 px: a tile at 1×, 2×
 * and 4× density); the viewing size keeps the whole picture inside 1200 px, in JPEG and WebP,
 * because a lightbox that crops the photo shows a different photo.
 */
export const PHOTO_RENDITIONS: Rendition[] = [
  { name: 's150.jpg', size: 150, fit: 'square', format: 'jpeg' },
  { name: 's300.jpg', size: 300, fit: 'square', format: 'jpeg' },
  { name: 's600.jpg', size: 600, fit: 'square', format: 'jpeg' },
  { name: 'l1200.jpg', size: 1200, fit: 'inside', format: 'jpeg' },
  { name: 'l1200.webp', size: 1200, fit: 'inside', format: 'webp' },
];

/** A profile picture's renditions: square, 150 and 300 px. */
export const AVATAR_RENDITIONS: Rendition[] = [
  { name: 's150.jpg', size: 150, fit: 'square', format: 'jpeg' },
  { name: 's300.jpg', size: 300, fit: 'square', format: 'jpeg' },
];

const QUALITY = 80;

type SharpModule = typeof import('sharp').default;
let sharpModule: Promise<SharpModule> | undefined;

/**
 * sharp is a native module: loaded on first use, so every Lambda bundle that composes the apps
 * need not carry it, only the one that processes images (the bundler keeps it out of the rest).
 */
function loadSharp(): Promise<SharpModule> {
  sharpModule ??= import('sharp').then((module) => module.default);
  return sharpModule;
}

/** The formats read from uploads. HEIC (HEVC) is not: the prebuilt libvips has no HEVC decoder. */
export const READABLE_FORMATS = ['jpeg', 'png', 'webp', 'avif'] as const;
export type ReadableFormat = (typeof READABLE_FORMATS)[number];

export interface ImageLimits {
  /** Width × height at most this, checked from the header before any pixel is decoded. */
  maxPixels: number;
}

export interface MadeRendition {
  name: string;
  contentType: string;
  width: number;
  height: number;
  body: Buffer;
}

export interface ProcessedImage {
  /** The picture as shown: after turning it by its EXIF orientation. */
  width: number;
  height: number;
  format: ReadableFormat;
  /** When the camera says it was taken: with its offset when the camera recorded one (EXIF 2.31). */
  takenAt?: string;
  renditions: MadeRendition[];
}

/** The upload is not a picture Stratus can use; `reason` tells its owner why. */
export class ImageRejected extends Error {
  override readonly name = 'ImageRejected';
}

/**
 * Reads an upload's real type from its bytes, refuses what is not a readable image or is too
 * large to decode safely, and makes the renditions. The picture is decoded once, to the
 * smallest size every rendition can be cut from; renditions carry no metadata at all (sharp
 * writes none unless asked), so a location in the original never leaves with them.
 */
export async function processImage(
  bytes: Buffer,
  renditions: Rendition[],
  limits: ImageLimits,
): Promise<ProcessedImage> {
  const sharp = await loadSharp();
  const metadata = await sharp(bytes, { limitInputPixels: false })
    .metadata()
    .catch(() => {
      throw new ImageRejected('The file is not an image Stratus can read (JPEG, PNG, WebP or AVIF)');
    });
  const format = readableFormat(metadata);
  const { width, height } = metadata;
  if (!width || !height) throw new ImageRejected('The image has no size');
  if (width * height > limits.maxPixels) {
    throw new ImageRejected(
      `The image is ${width}×${height} pixels (${megapixels(width * height)} MP); photos may have at most ${megapixels(limits.maxPixels)} MP`,
    );
  }
  const turned = (metadata.orientation ?? 1) >= 5;
  const shown = turned ? { width: height, height: width } : { width, height };

  // Decoded once, turned upright and flattened onto white (JPEG has no transparency), at the
  // smallest scale that still covers the largest square and the largest box.
  const largestSquare = Math.max(0, ...renditions.filter((r) => r.fit === 'square').map((r) => r.size));
  const largestBox = Math.max(0, ...renditions.filter((r) => r.fit === 'inside').map((r) => r.size));
  const scale = Math.min(
    1,
    Math.max(largestSquare / Math.min(shown.width, shown.height), largestBox / Math.max(shown.width, shown.height)),
  );
  let base: { data: Buffer; info: OutputInfo };
  try {
    base = await sharp(bytes, { limitInputPixels: limits.maxPixels, failOn: 'truncated' })
      .rotate()
      .resize(Math.max(1, Math.round(shown.width * scale)), Math.max(1, Math.round(shown.height * scale)), {
        fit: 'fill',
      })
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw new ImageRejected(`The image is damaged or incomplete and cannot be decoded (${describe(error)})`);
  }
  const raw = { raw: { width: base.info.width, height: base.info.height, channels: base.info.channels } };
  const made = await Promise.all(
    renditions.map(async (rendition): Promise<MadeRendition> => {
      // A picture smaller than a square gets the largest square it has: never enlarged, always square.
      const side = Math.min(rendition.size, base.info.width, base.info.height);
      let image =
        rendition.fit === 'square'
          ? sharp(base.data, raw).resize(side, side, { fit: 'cover', position: sharp.strategy.attention })
          : sharp(base.data, raw).resize(rendition.size, rendition.size, { fit: 'inside', withoutEnlargement: true });
      image =
        rendition.format === 'webp'
          ? image.webp({ quality: QUALITY })
          : image.jpeg({ quality: QUALITY, mozjpeg: true });
      const { data, info } = await image.toBuffer({ resolveWithObject: true });
      return {
        name: rendition.name,
        contentType: `image/${rendition.format}`,
        width: info.width,
        height: info.height,
        body: data,
      };
    }),
  );
  const takenAt = takenAtOf(metadata.exif);
  return { ...shown, format, ...(takenAt ? { takenAt } : {}), renditions: made };
}

function readableFormat(metadata: Metadata): ReadableFormat {
  // libvips calls AVIF "heif" with AV1 compression; HEIC is "heif" with HEVC.
  if (metadata.format === 'heif') {
    if (metadata.compression === 'av1') return 'avif';
    throw new ImageRejected(
      'HEIC photos cannot be read here: upload JPEG (iPhone: Settings → Camera → Most Compatible)',
    );
  }
  if ((READABLE_FORMATS as readonly string[]).includes(metadata.format ?? '')) return metadata.format as ReadableFormat;
  throw new ImageRejected(
    `${metadata.format?.toUpperCase() ?? 'This'} images are not accepted: upload JPEG, PNG, WebP or AVIF`,
  );
}

/** EXIF DateTimeOriginal is the camera's wall time; its offset, when recorded, makes it an instant. */
function takenAtOf(exif: Buffer | undefined): string | undefined {
  if (!exif) return undefined;
  try {
    const photo = exifReader(exif).Photo;
    const taken = photo?.DateTimeOriginal;
    if (!(taken instanceof Date) || Number.isNaN(taken.getTime())) return undefined;
    const wallTime = taken.toISOString().slice(0, 19);
    const offset = photo?.OffsetTimeOriginal;
    return typeof offset === 'string' && /^[+-]\d{2}:\d{2}$/.test(offset) ? `${wallTime}${offset}` : wallTime;
  } catch {
    return undefined; // damaged EXIF only costs the date, not the photo
  }
}

const megapixels = (pixels: number) => Math.round(pixels / 1e5) / 10;

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]?.replace(/^Input (buffer|file) (has|contains) /, '') ?? 'unknown error';
}
