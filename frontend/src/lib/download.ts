import { api } from "./api/client";
import { call } from "./api/call";

/**
 * Saves a file the API serves only with the seller's token (invoice PDFs):
 * fetched through the client, handed to the browser as a blob.
 */
export async function saveAuthorized(path: `/api/v1/invoices/{id}/pdf`, id: string, fileName: string) {
  const blob = await call(
    api.GET(path, { params: { path: { id } }, parseAs: "blob" }) as Promise<{ data?: Blob; error?: unknown; response: Response }>,
  );
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
