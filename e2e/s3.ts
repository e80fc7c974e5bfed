import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * The test bucket: an S3-compatible server that verifies signatures (the
 * bench helper's s3s over a folder), started beside the product by the
 * Playwright config. Its objects are files under `dir/bucket/`.
 */
export const s3 = {
  port: Number(process.env.E2E_S3_PORT ?? 18182),
  dir: join(tmpdir(), `delivery-e2e-s3-${process.env.E2E_S3_PORT ?? 18182}`),
  bucket: "e2e-bucket",
  accessKey: "e2e-access-key",
  secretKey: "e2e-secret-key-0123456789",
};
