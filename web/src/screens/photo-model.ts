// What the Photos screens get from the API (photos, albums, share links, a shared gallery) and the
// few rules about showing them that every part shares: which rendition goes where, the srcset of
// a grid tile, and the alt text of a picture. Kept in one module so the owner's screens and the
// public gallery page show a photo the same way.
import { dateTimeFormat } from '../format.ts';

export interface Rendition {
  /** `s150.jpg`, `s300.jpg`, `s600.jpg` (square crops), `l1200.jpg`, `l1200.webp` (whole picture). */
  name: string;
  contentType: string;
  width: number;
  height: number;
  url: string;
}

export type PhotoStatus = 'pending' | 'ready' | 'failed';

/** A photo as anyone with a share link sees it: no file name, no dates, no original. */
export interface SharedPhoto {
  id: string;
  caption?: string;
  width?: number;
  height?: number;
  renditions?: Rendition[];
}

/** A photo as its owner sees it. */
export interface Photo extends SharedPhoto {
  version: number;
  status: PhotoStatus;
  filename: string;
  /** Why processing refused the upload (status `failed`). */
  failure?: string;
  format?: string;
  bytes?: number;
  takenAt?: string;
  createdAt: string;
  updatedAt: string;
  /** A short-lived download of the original, on a single photo read only. */
  original?: { url: string; expiresAt: string };
}

/** What a grid or the lightbox can show: a shared photo, or an owner's with its state. */
export type ShownPhoto = SharedPhoto &
  Partial<Pick<Photo, 'status' | 'failure' | 'filename' | 'takenAt' | 'createdAt'>>;

export interface Album {
  id: string;
  version: number;
  title: string;
  photoCount: number;
  coverPhotoId?: string;
  coverChosen?: boolean;
  cover?: SharedPhoto;
  createdAt: string;
  updatedAt: string;
}

export type ShareKind = 'photo' | 'album';

export interface ShareLink {
  token: string;
  kind: ShareKind;
  id: string;
  /** The public gallery page of the link. */
  url: string;
  createdAt: string;
  expiresAt?: string;
  expired: boolean;
}

export interface SharedGalleryPage {
  kind: ShareKind;
  title?: string;
  /** The owner's name. */
  owner?: string;
  photoCount?: number;
  photos: SharedPhoto[];
  nextCursor?: string;
  expiresAt?: string;
}

export const photoPath = (id: string) => `/v1/photos/${encodeURIComponent(id)}`;
export const albumPath = (id: string) => `/v1/albums/${encodeURIComponent(id)}`;
export const albumPage = (id: string) => `/photos?album=${encodeURIComponent(id)}`;
export const ALBUMS_PAGE = '/photos?view=albums';
/** The version as the API's ETag, for If-Match. */
export const ifMatch = (version: number) => ({ 'if-match': `"${version}"` });

export const rendition = (photo: SharedPhoto, name: string): Rendition | undefined =>
  photo.renditions?.find((candidate) => candidate.name === name);

const SQUARES = ['s150.jpg', 's300.jpg', 's600.jpg'];

/** The square crops as a srcset with width descriptors, and the middle one as the plain src. */
export function squareSources(photo: SharedPhoto): { src: string; srcSet: string } | undefined {
  const squares = SQUARES.map((name) => rendition(photo, name)).filter((found): found is Rendition => !!found);
  const fallback = rendition(photo, 's300.jpg') ?? squares[0];
  if (!fallback) return undefined;
  return { src: fallback.url, srcSet: squares.map((square) => `${square.url} ${square.width}w`).join(', ') };
}

const dayFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

/** The caption when there is one; else "Photo" with the day it was taken (or uploaded) when known. */
export function altText(photo: ShownPhoto): string {
  if (photo.caption) return photo.caption;
  const when = photo.takenAt ?? photo.createdAt;
  const date = when ? new Date(when) : undefined;
  return date && !Number.isNaN(date.getTime()) ? `Photo from ${dayFormat.format(date)}` : 'Photo';
}

export const formatWhen = (iso: string) => dateTimeFormat.format(new Date(iso));

/** `1 photo`, `3 photos`. */
export const photoCount = (count: number) => `${count} ${count === 1 ? 'photo' : 'photos'}`;
