// Test pictures made on the spot with sharp (and one by hand), so no binary fixture is kept.
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';

/** Where the tests put the camera: EXIF GPS that must never reach a rendition. */
export const GPS = {
  GPSLatitudeRef: 'N',
  GPSLatitude: '48/1 51/1 2400/100',
  GPSLongitudeRef: 'E',
  GPSLongitude: '2/1 21/1 300/100',
};

/**
 * A camera-like JPEG: noise (so it compresses like a photo), EXIF with the date it was taken,
 * its offset and a GPS position, and an orientation tag (6: turn 90° clockwise to show).
 */
export async function cameraJpeg(
  options: { width?: number; height?: number; orientation?: number; quality?: number; colour?: string } = {},
): Promise<Buffer> {
  const { width = 640, height = 480, orientation = 1, quality = 90, colour = '#88aacc' } = options;
  return sharp({
    create: { width, height, channels: 3, background: colour, noise: { type: 'gaussian', mean: 128, sigma: 30 } },
  })
    .jpeg({ quality })
    .toBuffer()
    .then((plain) =>
      sharp(plain)
        .withMetadata({ orientation })
        .withExif({
          IFD0: { Make: 'Stratus', Model: 'Test Camera' },
          IFD2: { DateTimeOriginal: '2024:05:01 10:20:30', OffsetTimeOriginal: '+02:00' },
          IFD3: GPS,
        })
        .jpeg({ quality })
        .toBuffer(),
    );
}

export async function smallPng(width = 320, height = 200): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 4, background: { r: 200, g: 40, b: 40, alpha: 0.5 } } })
    .png()
    .toBuffer();
}

/**
 * A valid PNG of width × height 1-bit pixels, all black: a few hundred KB that decode to
 * width × height pixels (the shape of a decompression bomb). Built by hand: encoders refuse it.
 */
export function hugePng(width = 30000, height = 30000): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([1, 0, 0, 0, 0], 8); // 1-bit greyscale, deflate, no filter, no interlace
  const row = Math.ceil(width / 8) + 1; // a filter byte, then the bits
  const pixels = deflateSync(Buffer.alloc(row * height), { level: 9 });
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', pixels),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (CRC_TABLE[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
