/**
 * Telling S3's answers apart by what they mean, not by the SDK's class names: a missing object
 * is a 404 from HeadObject (`NotFound`, no body to name it) or GetObject/CopyObject
 * (`NoSuchKey`); a lost `If-Match` race is a 412.
 */
interface S3Failure {
  name?: string;
  $metadata?: { httpStatusCode?: number };
}

const statusOf = (error: unknown): number | undefined => (error as S3Failure | null)?.$metadata?.httpStatusCode;

/** The object (not the bucket: a missing bucket is a deployment error, not a missing key) is not there. */
export function isMissingObject(error: unknown): boolean {
  return statusOf(error) === 404 && (error as S3Failure).name !== 'NoSuchBucket';
}

/** A conditional request (`If-Match`) found another version of the object. */
export function isPreconditionFailed(error: unknown): boolean {
  return statusOf(error) === 412;
}
