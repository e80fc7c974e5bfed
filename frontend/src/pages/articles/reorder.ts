import { arrayMove } from "@dnd-kit/sortable";

/**
 * A file dropped on another one: the list as it now looks and the position
 * to send. Positions count from 0 in list order and the server shifts the
 * others, so the drop target's index is the moved file's new position.
 * `null` when the drop changes nothing.
 */
export function moveFile<T extends { id: string }>(items: T[], movedId: string, overId: string | null): { items: T[]; position: number } | null {
  if (overId === null || movedId === overId) return null;
  const from = items.findIndex((f) => f.id === movedId);
  const to = items.findIndex((f) => f.id === overId);
  if (from < 0 || to < 0) return null;
  return { items: arrayMove(items, from, to), position: to };
}
