import { z } from '@hono/zod-openapi';
import { PageQuery, PresignedUploadSchema } from '../common/model.ts';
import { filePath, folderPath } from './paths.ts';

/** Runs a path check inside zod, so a bad path is a 400 naming its field like any other. */
const checked = (check: (value: string) => string) =>
  z
    .string()
    .max(4096)
    .transform((value, ctx) => {
      try {
        return check(value);
      } catch (error) {
        ctx.addIssue({
          code: 'custom',
          message: (error as { fields?: Array<{ message: string }> }).fields?.[0]?.message ?? 'is not a valid path',
        });
        return z.NEVER;
      }
    });

export const FilePath = checked((value) => filePath(value)).openapi({ type: 'string', example: 'docs/report.pdf' });
export const FolderPath = checked((value) => folderPath(value)).openapi({ type: 'string', example: 'docs/' });
/** A file path, or a folder path ending in `/`. */
export const AnyPath = checked((value) => (value.endsWith('/') ? folderPath(value) : filePath(value))).openapi({
  type: 'string',
  example: 'docs/',
});

export const UploadRequest = z
  .object({
    path: FilePath,
    contentType: z.string().min(3).max(255).openapi({ example: 'application/pdf' }),
    size: z.number().int('must be a whole number of bytes').min(0, 'must not be negative'),
  })
  .strict()
  .openapi('UploadRequest');

export const MoveRequest = z.object({ from: AnyPath, to: AnyPath }).strict().openapi('MoveRequest');

export const ListFilesQuery = PageQuery.extend({
  prefix: FolderPath.optional().openapi({ description: 'The folder to list: empty for the root, or ending with /' }),
});
export const PathQuery = z.object({ path: FilePath });
export const AnyPathQuery = z.object({ path: AnyPath });

/** A file upload: where to send the bytes, and the path the file will have. */
export const FileUploadSchema = PresignedUploadSchema.extend({ path: z.string() }).openapi('FileUpload');

export const FileEntrySchema = z
  .object({
    kind: z.enum(['file', 'folder']),
    path: z.string(),
    name: z.string(),
    size: z.number().optional(),
    contentType: z.string().optional(),
    checksumSha256: z.string().optional(),
    modifiedAt: z.string().optional(),
  })
  .openapi('FileEntry');

export const UsageSchema = z
  .object({ bytes: z.number(), files: z.number(), quotaBytes: z.number(), maxFileBytes: z.number() })
  .openapi('FilesUsage');
